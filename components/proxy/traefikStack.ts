import * as pulumi from "@pulumi/pulumi";
import { LocalCertificate } from "../../dynamic-providers/localCertificate";
import { renderCompose } from "../../lib/docker/compose";
import { SOCKET_PROXY_PORT, renderSocketProxyConfig } from "../../lib/proxy/socketProxy";
import { httpsPortSuffix, renderTraefikDynamic, renderTraefikStatic } from "../../lib/proxy/traefik";
import { swarmObject, swarmStack, type SwarmContext } from "../swarm/swarmResources";

export interface TraefikStackArgs extends SwarmContext {
    /** Base domain; Traefik answers its own health at https://proxy.<domain>/ping. */
    domain: pulumi.Input<string>;
    /** The attachable overlay network routed services join (SwarmHost's). */
    network: pulumi.Input<string>;
    /** Host port of the web entrypoint. @default 80 */
    httpPort?: number;
    /** Host port of the web-secure entrypoint. @default 443 */
    httpsPort?: number;
    /** Wildcard certificate for *.<domain> and its key (a secret). Unset: a local CA issues one. */
    certificate?: {
        certificate: pulumi.Input<string>;
        key: pulumi.Input<string>;
        /** PEM of its CA when the system does not trust it (public). */ ca?: pulumi.Input<string>;
    };
    /** Image IDs (lib/images) of traefik and the socket proxy. */
    images: { traefik: pulumi.Input<string>; socketProxy: pulumi.Input<string> };
}

const STATIC_PATH = "/etc/traefik/traefik.yml";
const DYNAMIC_DIR = "/etc/traefik/dynamic";
/** The platform's own hosts under the domain, which services inside the site reach through Traefik. */
export const SITE_HOSTS = ["proxy", "registry", "ci", "git"] as const;

/**
 * Traefik v3 as a swarm stack, Co-op Cloud style: the swarm provider reads services through a
 * read-only socket proxy on a private network (Traefik never mounts the socket), the file
 * provider serves a wildcard certificate held as swarm secrets, `web` redirects to
 * `web-secure`, ports are published in host mode.
 */
export class TraefikStack extends pulumi.ComponentResource {
    /** PEM of the CA that issued the certificate: the one Slipway generated, or the site's private CA (proxy.caCertificate); clients trust it. */
    public readonly caCertificate: pulumi.Output<string | undefined>;
    /** https://proxy.<domain>/ping: Traefik's health, routed through itself. */
    public readonly pingUrl: pulumi.Output<string>;
    /** The swarm stack's name. */
    public readonly stackName: string;

    constructor(name: string, args: TraefikStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:proxy:TraefikStack", name, {}, opts);
        const ctx: SwarmContext = { endpoint: args.endpoint, stack: args.stack, ...(args.sshAccess ? { sshAccess: args.sshAccess } : {}) };
        this.stackName = `${args.stack}-proxy`;
        // Listening on the published ports, not 80/443 behind them: a URL with its port works the same
        // from inside the site (through the aliases below) as from outside.
        const httpPort = args.httpPort ?? 80;
        const httpsPort = args.httpsPort ?? 443;

        const issueLocalCertificate = () => {
            const issued = new LocalCertificate(`${name}-local-certificate`, { domain: args.domain }, { parent: this });
            return { ca: issued.ca, certificate: issued.certificate, key: issued.key };
        };

        const tls = args.certificate ? { ...args.certificate, ca: pulumi.output(args.certificate.ca) } : issueLocalCertificate();
        const certSecret = swarmObject(`${name}-tls-certificate`, "secret", `${this.stackName}-tls-crt`, tls.certificate, ctx, this);
        const keySecret = swarmObject(`${name}-tls-key`, "secret", `${this.stackName}-tls-key`, tls.key, ctx, this);
        const dynamicConfig = swarmObject(
            `${name}-dynamic-config`,
            "config",
            `${this.stackName}-dynamic`,
            pulumi
                .all([certSecret, keySecret])
                .apply(([crt, key]) => renderTraefikDynamic({ certFile: `/run/secrets/${crt}`, keyFile: `/run/secrets/${key}` })),
            ctx,
            this,
        );
        const staticConfig = swarmObject(
            `${name}-static-config`,
            "config",
            `${this.stackName}-static`,
            pulumi.output(args.network).apply((network) =>
                renderTraefikStatic({
                    dockerEndpoint: `tcp://socket-proxy:${SOCKET_PROXY_PORT}`,
                    network,
                    dynamicDir: DYNAMIC_DIR,
                    httpPort,
                    httpsPort,
                    publicHttpsPort: httpsPort,
                    onlyStack: args.stack,
                }),
            ),
            ctx,
            this,
        );
        const socketProxyConfig = swarmObject(
            `${name}-socket-proxy-config`,
            "config",
            `${this.stackName}-socket-proxy`,
            renderSocketProxyConfig({ bind: `:${SOCKET_PROXY_PORT}` }),
            ctx,
            this,
        );

        const images = pulumi.all([args.images.traefik, args.images.socketProxy]);
        const compose = pulumi
            .all([args.domain, args.network, certSecret, keySecret, staticConfig, dynamicConfig, socketProxyConfig, images])
            .apply(([domain, network, crt, key, stat, dyn, sp, [traefikImage, socketProxyImage]]) =>
                renderCompose({
                    services: {
                        "socket-proxy": {
                            image: socketProxyImage,
                            networks: ["socket"],
                            configs: [{ source: sp, target: "/usr/local/etc/haproxy/haproxy.cfg" }],
                            mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: true }],
                            constraints: ["node.role == manager"],
                            labels: { "slipway.stack": args.stack },
                        },
                        traefik: {
                            image: traefikImage,
                            command: [`--configFile=${STATIC_PATH}`],
                            networks: ["proxy", "socket"],
                            // Inside the site, its hosts are Traefik too, on the ports their URLs name: the CI
                            // reaches the forge, the forge the CI and pipelines the registry by the URLs people use.
                            aliases: { proxy: SITE_HOSTS.map((h) => `${h}.${domain}`) },
                            ports: [
                                { target: httpPort, published: httpPort },
                                { target: httpsPort, published: httpsPort },
                            ],
                            secrets: [crt, key],
                            configs: [
                                { source: stat, target: STATIC_PATH },
                                { source: dyn, target: `${DYNAMIC_DIR}/tls.yml` },
                            ],
                            healthcheck: ["traefik", "healthcheck", `--configFile=${STATIC_PATH}`],
                            constraints: ["node.role == manager"],
                            labels: {
                                "slipway.stack": args.stack,
                                // Traefik's own health, routed through itself: proves the whole path. Named
                                // per stack: a router name seen twice on one swarm disables both.
                                "traefik.enable": "true",
                                [`traefik.http.routers.${this.stackName}-ping.rule`]: `Host(\`proxy.${domain}\`) && Path(\`/ping\`)`,
                                [`traefik.http.routers.${this.stackName}-ping.entrypoints`]: "web-secure",
                                [`traefik.http.routers.${this.stackName}-ping.tls`]: "true",
                                [`traefik.http.routers.${this.stackName}-ping.service`]: "ping@internal",
                                [`traefik.http.services.${this.stackName}-ping.loadbalancer.server.port`]: "8082",
                            },
                        },
                    },
                    networks: { socket: { internal: true } },
                    externalNetworks: { proxy: network },
                    secrets: [crt, key],
                    configs: [stat, dyn, sp],
                    labels: { "slipway.stack": args.stack },
                }),
            );
        swarmStack(`${name}-stack`, this.stackName, compose, ctx, this);

        this.caCertificate = tls.ca;
        this.pingUrl = pulumi.interpolate`https://proxy.${args.domain}${httpsPortSuffix(args.httpsPort)}/ping`;
        this.registerOutputs({ caCertificate: this.caCertificate, pingUrl: this.pingUrl });
    }
}
