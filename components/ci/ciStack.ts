import * as pulumi from "@pulumi/pulumi";
import { RandomSecret } from "../../dynamic-providers/randomSecret";
import { renderCompose, type ComposeService } from "../../lib/docker/compose";
import { httpsPortSuffix, renderRouteLabels } from "../../lib/proxy/traefik";
import { SITE_CA_PATH, siteCaFile, swarmObject, swarmStack, swarmVolume, type SwarmContext } from "../swarm/swarmResources";
import type { DataOnDestroy } from "../../lib/docker/swarmScripts";

export interface CiStackArgs extends SwarmContext {
    /** Base domain: the server is served at ci.<domain>. */
    domain: pulumi.Input<string>;
    /** The overlay network Traefik routes on (SwarmHost's). */
    network: pulumi.Input<string>;
    /** HTTPS port clients reach Traefik on, for the URL outputs. @default 443 */
    httpsPort?: number;
    /** Image IDs (lib/images) of the Woodpecker server and agent, and of the pipelines' clone step (lib/images' ci-clone). */
    images: { server: pulumi.Input<string>; agent: pulumi.Input<string>; clone: pulumi.Input<string> };
    /** The Gitea/Forgejo the server logs users in with. Unset: placeholders, and nobody can log in until it is set. */
    forge?: { url: pulumi.Input<string>; clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> };
    /** Forge users who administer the CI. @default [] */
    admins?: string[];
    /** Every user of the forge may log in (the platform's own forge, whose users its admin makes); else only the admins. @default false */
    openToForgeUsers?: boolean;
    /** PEM of the CA behind the site's certificate, when it is private: the server trusts it to reach a forge behind the site's Traefik. */
    caCertificate?: pulumi.Input<string | undefined>;
    /** Workflows the agent runs at once. @default 2 */
    capacity?: number;
    /** What destroy does with the database's volume: keep it, or remove it. @default "retain" */
    dataOnDestroy?: DataOnDestroy;
    /** Bump to issue new agent and metrics secrets. @default 0 */
    secretRotation?: number;
    /** Agent labels pipelines select it by, e.g. disk-image-builder. @default [] */
    labels?: string[];
    /**
     * Pull-request previews (.woodpecker/preview.yaml): every pipeline gets the preview step's image
     * (SLIPWAY_PREVIEW_IMAGE, which the workflow names), the images the site runs (SLIPWAY_IMAGES,
     * lib/images) and the registry plans are kept in (SLIPWAY_REGISTRY). Unset: no previews.
     */
    previews?: { image: pulumi.Input<string>; imagesRecord: string; registry: pulumi.Input<string> };
    /**
     * The `/preview` comment command (scripts/previewCommands.ts, in the preview image): the forge's
     * issue-comment hook reaches it at https://ci.<domain>/slipway/hook; it asks the forge as its
     * admin and re-runs previews with a CI admin's token. Needs `previews`.
     */
    commands?: { forge: { url: pulumi.Input<string>; username: pulumi.Input<string>; password: pulumi.Input<string> }; ciToken: pulumi.Input<string> };
}

/** Where the forge's hook reaches the `/preview` command service, under the CI's host. */
export const COMMANDS_PATH = "/slipway/hook";

const DATA_DIR = "/var/lib/woodpecker";

/**
 * Woodpecker CI as a swarm stack: the server behind Traefik at ci.<domain> (sqlite on the
 * stack's volume), the agent beside it on a private network, running pipelines on this
 * engine. The agent secret and the metrics token are generated (RandomSecret) and reach both
 * as swarm secrets (`*_FILE`), never as environment values in the compose document.
 */
export class CiStack extends pulumi.ComponentResource {
    /** https://ci.<domain>[:port] */
    public readonly url: pulumi.Output<string>;
    /** Bearer token for the server's /metrics (secret). */
    public readonly metricsToken: pulumi.Output<string>;
    public readonly stackName: string;
    /** With `commands`: the secret the forge signs its hook with (secret), and where the hook goes. */
    public readonly hookSecret?: pulumi.Output<string>;
    public readonly hookUrl?: pulumi.Output<string>;

    constructor(name: string, args: CiStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:ci:CiStack", name, {}, opts);
        const ctx: SwarmContext = { endpoint: args.endpoint, stack: args.stack, ...(args.sshAccess ? { sshAccess: args.sshAccess } : {}) };
        this.stackName = `${args.stack}-ci`;

        const agentSecret = swarmObject(
            `${name}-agent-secret`,
            "secret",
            `${this.stackName}-agent`,
            new RandomSecret(`${name}-agent-secret-value`, { parent: this }, args.secretRotation ?? 0).value,
            ctx,
            this,
        );
        const metricsValue = new RandomSecret(`${name}-metrics-token-value`, { parent: this }, args.secretRotation ?? 0).value;
        const metricsSecret = swarmObject(`${name}-metrics-token`, "secret", `${this.stackName}-metrics`, metricsValue, ctx, this);
        // Without a forge the server still needs a client secret to start: an unguessable one.
        const forgeSecretValue = args.forge ? args.forge.clientSecret : new RandomSecret(`${name}-forge-placeholder`, { parent: this }).value;
        const forgeSecret = swarmObject(`${name}-forge-secret`, "secret", `${this.stackName}-forge`, forgeSecretValue, ctx, this);

        // The /preview command's hook secret (the forge signs with it; rotates with the others), and what it asks with.
        const commands = args.commands && args.previews ? this.commandSecrets(name, args.commands, args.secretRotation ?? 0, ctx) : undefined;
        this.hookSecret = commands?.hookValue;
        const port = httpsPortSuffix(args.httpsPort);
        this.url = pulumi.interpolate`https://ci.${args.domain}${port}`;
        this.hookUrl = commands ? pulumi.interpolate`${this.url}${COMMANDS_PATH}` : undefined;

        // The database's volume is the site's data, not the stack's (named as a stack deploy named it before).
        const data = swarmVolume(`${name}-data`, `${this.stackName}_data`, "ci", args.dataOnDestroy ?? "retain", ctx, this);

        const siteCa = swarmObject(`${name}-site-ca`, "config", `${this.stackName}-site-ca`, pulumi.output(args.caCertificate).apply(siteCaFile), ctx, this);

        // The /preview command service, beside the server (its own image: the preview step's).
        const commandsService: pulumi.Output<Record<string, ComposeService>> =
            commands && args.commands && args.previews
                ? pulumi
                      .all([args.domain, args.previews.image, pulumi.all(commands.secrets), args.commands.forge.url, args.commands.forge.username, siteCa])
                      .apply(([domain, image, [hook, forgePassword, ciToken], forgeUrl, forgeUser, ca]): Record<string, ComposeService> => ({
                          commands: {
                              image,
                              entrypoint: ["node", "/usr/local/lib/slipway/app/scripts/previewCommands.js"],
                              environment: {
                                  PORT: "8080",
                                  SLIPWAY_HOOK_SECRET_FILE: `/run/secrets/${hook}`,
                                  SLIPWAY_FORGE_PASSWORD_FILE: `/run/secrets/${forgePassword}`,
                                  SLIPWAY_CI_TOKEN_FILE: `/run/secrets/${ciToken}`,
                                  SLIPWAY_FORGE_URL: forgeUrl,
                                  SLIPWAY_FORGE_USERNAME: forgeUser,
                                  SLIPWAY_CI_URL: "http://server:8000",
                                  // The forge is reached through the site's Traefik, behind the site's certificate.
                                  NODE_EXTRA_CA_CERTS: SITE_CA_PATH,
                              },
                              networks: ["proxy", "ci"],
                              secrets: [hook, forgePassword, ciToken],
                              configs: [{ source: ca, target: SITE_CA_PATH }],
                              labels: { "slipway.stack": args.stack, ...renderRouteLabels(`${this.stackName}-commands`, `ci.${domain}`, 8080, COMMANDS_PATH) },
                          },
                      }))
                : pulumi.output<Record<string, ComposeService>>({});
        const forgeLogin = pulumi.all([args.forge?.url, args.forge?.clientId]);
        const siteCaBase64 = pulumi.output(args.caCertificate).apply((ca) => (ca ? Buffer.from(ca).toString("base64") : ""));
        // Woodpecker's server-wide step environment (KEY:VALUE,…), also what pipeline files substitute.
        const globalEnv = pulumi
            .all([siteCaBase64, args.previews?.image, args.previews?.registry])
            .apply(([caBase64, previewImage, registry]) =>
                [
                    ...(caBase64 ? [`SLIPWAY_SITE_CA:${caBase64}`] : []),
                    ...(args.previews
                        ? [`SLIPWAY_PREVIEW_IMAGE:${previewImage}`, `SLIPWAY_IMAGES:${args.previews.imagesRecord}`, `SLIPWAY_REGISTRY:${registry}`]
                        : []),
                ].join(","),
            );
        const compose = pulumi
            .all([
                args.domain,
                args.network,
                agentSecret,
                metricsSecret,
                forgeSecret,
                pulumi.all([args.images.server, args.images.agent, args.images.clone]),
                pulumi.all([siteCa, globalEnv]),
                pulumi.all([forgeLogin, commandsService]),
            ])
            .apply(([domain, network, agent, metrics, forge, [serverImage, agentImage, cloneImage], [ca, stepEnv], [[forgeUrl, clientId], extraServices]]) =>
                renderCompose({
                    services: {
                        server: {
                            image: serverImage,
                            environment: {
                                WOODPECKER_HOST: `https://ci.${domain}${port}`,
                                WOODPECKER_DATABASE_DRIVER: "sqlite3",
                                WOODPECKER_DATABASE_DATASOURCE: `${DATA_DIR}/woodpecker.sqlite`,
                                WOODPECKER_AGENT_SECRET_FILE: `/run/secrets/${agent}`,
                                WOODPECKER_PROMETHEUS_AUTH_TOKEN_FILE: `/run/secrets/${metrics}`,
                                WOODPECKER_GITEA: "true",
                                WOODPECKER_GITEA_URL: forgeUrl ?? `https://git.${domain}`,
                                WOODPECKER_GITEA_CLIENT: clientId ?? "unconfigured",
                                WOODPECKER_GITEA_SECRET_FILE: `/run/secrets/${forge}`,
                                ...(args.admins?.length ? { WOODPECKER_ADMIN: args.admins.join(",") } : {}),
                                ...(args.openToForgeUsers ? { WOODPECKER_OPEN: "true" } : {}),
                                // Pipelines clone with the platform's own image (nothing can be pulled here),
                                // which Woodpecker trusts with the forge's netrc credentials.
                                WOODPECKER_DEFAULT_CLONE_IMAGE: cloneImage,
                                // Every step trusts the site's CA (the step images read it: scripts/images/steps/site-ca.sh),
                                // and, with previews, knows the preview image and the site's images.
                                ...(stepEnv ? { WOODPECKER_ENVIRONMENT: stepEnv } : {}),
                            },
                            networks: ["proxy", "ci"],
                            secrets: [agent, metrics, forge],
                            configs: [{ source: ca, target: SITE_CA_PATH }],
                            mounts: [{ type: "volume", source: "data", target: DATA_DIR }],
                            labels: { "slipway.stack": args.stack, ...renderRouteLabels(this.stackName, `ci.${domain}`, 8000) },
                            // Its database is on this node's volume.
                            constraints: ["node.role == manager"],
                        },
                        ...extraServices,
                        agent: {
                            image: agentImage,
                            environment: {
                                WOODPECKER_SERVER: "server:9000",
                                WOODPECKER_AGENT_SECRET_FILE: `/run/secrets/${agent}`,
                                WOODPECKER_BACKEND: "docker",
                                WOODPECKER_MAX_WORKFLOWS: String(args.capacity ?? 2),
                                // Steps join the proxy network too, where the site's hosts (git., registry.) are Traefik.
                                WOODPECKER_BACKEND_DOCKER_NETWORK: network,
                                WOODPECKER_AGENT_CONFIG_FILE: "/data/agent.conf",
                                ...(args.labels?.length ? { WOODPECKER_FILTER_LABELS: args.labels.map((l) => `${l}=true`).join(",") } : {}),
                            },
                            networks: ["ci"],
                            secrets: [agent],
                            // With a rotated agent secret the new agent cannot register until the new server
                            // runs: it restarts until then instead of rolling back to the old secret.
                            onUpdateFailure: "continue",
                            // The runner starts pipeline containers on this engine: it needs the socket.
                            mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }],
                            labels: { "slipway.stack": args.stack },
                            // Pipelines run on the engine it is bound to: the manager's, whose images setup assembled.
                            constraints: ["node.role == manager"],
                        },
                    },
                    networks: { ci: { internal: true } },
                    externalNetworks: { proxy: network },
                    secrets: [agent, metrics, forge, ...Object.values(extraServices).flatMap((x) => x.secrets ?? [])],
                    configs: [ca],
                    externalVolumes: { data: `${this.stackName}_data` },
                    labels: { "slipway.stack": args.stack },
                }),
            );
        swarmStack(`${name}-stack`, this.stackName, compose, ctx, this, [data]);

        this.metricsToken = metricsValue;
        this.registerOutputs({ url: this.url, metricsToken: this.metricsToken });
    }

    /** The hook secret (generated), the forge admin's password and the CI token, as swarm secrets. */
    private commandSecrets(name: string, commands: NonNullable<CiStackArgs["commands"]>, rotation: number, ctx: SwarmContext) {
        const hookValue = new RandomSecret(`${name}-hook-secret-value`, { parent: this }, rotation).value;
        const secrets: [pulumi.Output<string>, pulumi.Output<string>, pulumi.Output<string>] = [
            swarmObject(`${name}-hook-secret`, "secret", `${this.stackName}-hook`, hookValue, ctx, this),
            swarmObject(`${name}-commands-forge-password`, "secret", `${this.stackName}-commands-forge`, commands.forge.password, ctx, this),
            swarmObject(`${name}-commands-ci-token`, "secret", `${this.stackName}-commands-ci`, commands.ciToken, ctx, this),
        ];
        return { hookValue, secrets };
    }
}
