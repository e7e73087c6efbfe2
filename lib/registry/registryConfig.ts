// distribution's configuration for the platform registry: htpasswd auth, deletes enabled
// (retention needs them), filesystem or S3-compatible storage. It carries the http secret
// (and an S3 key), so it is deployed as a swarm secret, not a config. Rendered as JSON, which
// the registry reads as YAML. Pure; snapshot-tested.

export type RegistryStorage =
    { kind: "filesystem"; rootDirectory: string } | { kind: "s3"; endpoint: string; region: string; bucket: string; accessKeyId: string; secretKey: string };

export interface RegistryConfigOptions {
    /** Path of the htpasswd file inside the container. */
    htpasswdPath: string;
    httpSecret: string;
    storage: RegistryStorage;
    /** @default 5000 */
    port?: number;
}

export function renderRegistryConfig(o: RegistryConfigOptions): string {
    const storage =
        o.storage.kind === "filesystem"
            ? { filesystem: { rootdirectory: o.storage.rootDirectory } }
            : {
                  s3: {
                      regionendpoint: o.storage.endpoint,
                      region: o.storage.region,
                      bucket: o.storage.bucket,
                      accesskey: o.storage.accessKeyId,
                      secretkey: o.storage.secretKey,
                      forcepathstyle: true,
                  },
              };
    const config = {
        version: 0.1,
        log: { level: "info", formatter: "json" },
        storage: { ...storage, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: true, age: "168h", interval: "24h", dryrun: false } } },
        http: { addr: `:${o.port ?? 5000}`, secret: o.httpSecret, headers: { "X-Content-Type-Options": ["nosniff"] } },
        auth: { htpasswd: { realm: "Slipway registry", path: o.htpasswdPath } },
        health: { storagedriver: { enabled: true, interval: "10s", threshold: 3 } },
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}
