// Traefik's static and dynamic configuration, Co-op Cloud style: entrypoints `web` and
// `web-secure` (the names Co-op Cloud recipes use), HTTP → HTTPS on every route, the swarm
// provider reached through a read-only docker socket proxy (never the socket itself), only
// services that opt in (`traefik.enable=true`) exposed, and the file provider serving a
// wildcard certificate held as swarm secrets (no ACME). Rendered as JSON, which is YAML, so a
// `.yml` file takes it and key order is exactly what is written here. Pure; snapshot-tested.

export interface TraefikStaticOptions {
    /** Docker API endpoint of the socket proxy, e.g. tcp://socket-proxy:2375. */
    dockerEndpoint: string;
    /** Overlay network Traefik reaches services on. */
    network: string;
    /** Directory the dynamic configuration file is mounted in. */
    dynamicDir: string;
    /** @default 80 */
    httpPort?: number;
    /** @default 443 */
    httpsPort?: number;
    /** Port of the ping entrypoint (health checks; not published). @default 8082 */
    pingPort?: number;
    /** @default "INFO" */
    logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
    /** Address the entrypoints bind; empty for every interface (tests bind loopback). @default "" */
    bindAddress?: string;
    /** The port clients reach web-secure on, when it is published on another than it listens on. */
    publicHttpsPort?: number;
    /**
     * Route only services carrying `slipway.stack=<stack>` (the platform's own) or
     * `slipway.routed-by=<stack>` (other stacks' services, see proxyRouteLabels): two Slipway
     * stacks on one swarm (a site and a test, say) must not route each other's services.
     * Unset: every opted-in service.
     */
    onlyStack?: string;
}

/** The label another stack's service carries, valued with the platform's stack, to be routed by its Traefik. */
export const ROUTED_BY = "slipway.routed-by";

/** ":<port>" for an HTTPS port clients must name in URLs; "" for 443 (or unset). */
export const httpsPortSuffix = (port?: number) => (port && port !== 443 ? `:${port}` : "");

export function renderTraefikStatic(o: TraefikStaticOptions): string {
    const config = {
        global: { checkNewVersion: false, sendAnonymousUsage: false },
        entryPoints: {
            web: {
                address: `${o.bindAddress ?? ""}:${o.httpPort ?? 80}`,
                // Redirect to where clients reach web-secure: a published port other than 443 must be named.
                http: { redirections: { entryPoint: { to: httpsPortSuffix(o.publicHttpsPort) || "web-secure", scheme: "https", permanent: true } } },
            },
            "web-secure": { address: `${o.bindAddress ?? ""}:${o.httpsPort ?? 443}`, http: { tls: {} } },
            ping: { address: `${o.bindAddress ?? ""}:${o.pingPort ?? 8082}` },
        },
        ping: { entryPoint: "ping" },
        providers: {
            // Swarm mode is polled (default every 15 s): a new service is routed within 5 s.
            swarm: {
                endpoint: o.dockerEndpoint,
                exposedByDefault: false,
                network: o.network,
                watch: true,
                refreshSeconds: 5,
                ...(o.onlyStack ? { constraints: `Label(\`slipway.stack\`, \`${o.onlyStack}\`) || Label(\`${ROUTED_BY}\`, \`${o.onlyStack}\`)` } : {}),
            },
            file: { directory: o.dynamicDir, watch: true },
        },
        api: { dashboard: false },
        log: { level: o.logLevel ?? "INFO" },
        accessLog: {},
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}

export interface TraefikCertificate {
    /** Path of the certificate (PEM chain) inside the container, e.g. /run/secrets/<name>. */
    certFile: string;
    /** Path of its private key inside the container. */
    keyFile: string;
}

/** The file provider's document: the certificate, also as the default for any SNI. */
export function renderTraefikDynamic(certificate: TraefikCertificate): string {
    const config = {
        tls: {
            certificates: [{ certFile: certificate.certFile, keyFile: certificate.keyFile }],
            stores: { default: { defaultCertificate: { certFile: certificate.certFile, keyFile: certificate.keyFile } } },
            options: { default: { minVersion: "VersionTLS12", sniStrict: false } },
        },
    };
    return `${JSON.stringify(config, null, 2)}\n`;
}

/** The labels a swarm service carries to be routed at `host` on web-secure (and redirected from web). */
export function renderRouteLabels(router: string, host: string, port: number, pathPrefix?: string): Record<string, string> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(router)) throw new Error(`router name "${router}" must be lowercase letters, digits and dashes`);
    if (pathPrefix !== undefined && !/^\/[a-z0-9/-]*$/.test(pathPrefix))
        throw new Error(`path prefix "${pathPrefix}" must start with / and hold lowercase letters, digits, dashes and slashes`);
    return {
        "traefik.enable": "true",
        // A path's route is longer than its host's, so Traefik (which orders by rule length) tries it first.
        [`traefik.http.routers.${router}.rule`]: pathPrefix ? `Host(\`${host}\`) && PathPrefix(\`${pathPrefix}\`)` : `Host(\`${host}\`)`,
        [`traefik.http.routers.${router}.entrypoints`]: "web-secure",
        [`traefik.http.routers.${router}.tls`]: "true",
        [`traefik.http.services.${router}.loadbalancer.server.port`]: String(port),
    };
}
