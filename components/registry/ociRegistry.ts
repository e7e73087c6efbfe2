import * as pulumi from "@pulumi/pulumi";
import { RegistryCredentials } from "../../dynamic-providers/registryCredentials";
import { renderCompose } from "../../lib/docker/compose";
import { renderRegistryConfig } from "../../lib/registry/registryConfig";
import { httpsPortSuffix, renderRouteLabels } from "../../lib/proxy/traefik";
import { swarmObject, swarmStack, swarmVolume, type SwarmContext } from "../swarm/swarmResources";
import type { DataOnDestroy } from "../../lib/docker/swarmScripts";

export interface OciRegistryArgs extends SwarmContext {
    /** Base domain: the registry is served at registry.<domain>. */
    domain: pulumi.Input<string>;
    /** The overlay network Traefik routes on (SwarmHost's). */
    network: pulumi.Input<string>;
    /** HTTPS port clients reach Traefik on, for the URL outputs. @default 443 */
    httpsPort?: number;
    /** Blobs on a Docker volume, or in S3-compatible object storage (its secret key a Pulumi secret). */
    storage:
        | { kind: "filesystem"; volume: string }
        | { kind: "s3"; endpoint: string; region: string; bucket: string; accessKeyId: string; secretKey: pulumi.Input<string> };
    /** Image ID of distribution (lib/images). */
    image: pulumi.Input<string>;
    /** What destroy does with the blobs' volume (filesystem storage): keep it, or remove it. @default "retain" */
    dataOnDestroy?: DataOnDestroy;
    /** Bump to issue a new password. @default 0 */
    passwordRotation?: number;
}

const DATA_DIR = "/var/lib/registry";

/**
 * The distribution registry as a swarm stack behind Traefik at registry.<domain>: htpasswd auth
 * with a generated password (a stack output, secret), deletes enabled for retention, blobs on
 * a Docker volume. Its configuration holds secrets, so it is a swarm secret named by content.
 */
export class OciRegistry extends pulumi.ComponentResource {
    /** registry.<domain>[:port]: what clients put in image references. */
    public readonly host: pulumi.Output<string>;
    public readonly username: pulumi.Output<string>;
    /** The generated password (secret). */
    public readonly password: pulumi.Output<string>;
    public readonly stackName: string;
    /** The registry's swarm service (`<stack>_registry`): what maintenance makes read-only to collect garbage. */
    public readonly serviceName: string;

    constructor(name: string, args: OciRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:registry:OciRegistry", name, {}, opts);
        const ctx: SwarmContext = { endpoint: args.endpoint, stack: args.stack, ...(args.sshAccess ? { sshAccess: args.sshAccess } : {}) };
        this.stackName = `${args.stack}-registry`;
        this.serviceName = `${this.stackName}_registry`;

        const credentials = new RegistryCredentials(`${name}-credentials`, { rotation: args.passwordRotation ?? 0 }, { parent: this });
        const htpasswd = swarmObject(`${name}-htpasswd`, "secret", `${this.stackName}-htpasswd`, pulumi.interpolate`${credentials.htpasswd}\n`, ctx, this);
        const config = swarmObject(
            `${name}-config`,
            "secret",
            `${this.stackName}-config`,
            pulumi.all([htpasswd, credentials.httpSecret, args.storage.kind === "s3" ? args.storage.secretKey : ""]).apply(([h, httpSecret, secretKey]) =>
                renderRegistryConfig({
                    htpasswdPath: `/run/secrets/${h}`,
                    httpSecret,
                    storage: args.storage.kind === "s3" ? { ...args.storage, secretKey } : { kind: "filesystem", rootDirectory: DATA_DIR },
                }),
            ),
            ctx,
            this,
        );

        const volume = args.storage.kind === "filesystem" ? args.storage.volume : undefined;
        // The blobs' volume is the site's data, not the stack's: the name a stack deploy gave it
        // before, so an existing site keeps its blobs.
        const dataVolume = volume
            ? swarmVolume(`${name}-data`, `${this.stackName}_${volume}`, "registry", args.dataOnDestroy ?? "retain", ctx, this)
            : undefined;
        const compose = pulumi.all([args.domain, args.network, htpasswd, config, args.image]).apply(([domain, network, h, c, image]) =>
            renderCompose({
                services: {
                    registry: {
                        image,
                        command: ["serve", `/run/secrets/${c}`],
                        networks: ["proxy"],
                        secrets: [h, c],
                        ...(volume ? { mounts: [{ type: "volume" as const, source: volume, target: DATA_DIR }] } : {}),
                        labels: { "slipway.stack": args.stack, ...renderRouteLabels(`${this.stackName}`, `registry.${domain}`, 5000) },
                        // Its blobs are on this node's volume (filesystem storage): it stays where they are.
                        constraints: ["node.role == manager"],
                    },
                },
                externalNetworks: { proxy: network },
                secrets: [h, c],
                ...(volume ? { externalVolumes: { [volume]: `${this.stackName}_${volume}` } } : {}),
                labels: { "slipway.stack": args.stack },
            }),
        );
        swarmStack(`${name}-stack`, this.stackName, compose, ctx, this, dataVolume ? [dataVolume] : []);

        const port = httpsPortSuffix(args.httpsPort);
        this.host = pulumi.interpolate`registry.${args.domain}${port}`;
        this.username = credentials.username;
        this.password = credentials.password;
        this.registerOutputs({ host: this.host, username: this.username, password: this.password });
    }
}
