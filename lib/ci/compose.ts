// Woodpecker as a swarm stack, rendered: the server behind Traefik (sqlite on the stack's volume),
// the agent beside it on a private network, and, with previews' `/preview` command, the service
// that answers the forge's hook. Pure, from resolved values; CiStack deploys what this returns.
import { renderCompose, type ComposeService } from "../docker/compose";
import { SITE_CA_PATH } from "../docker/siteCa";
import { renderRouteLabels } from "../proxy/traefik";

/** Where the forge's hook reaches the `/preview` command service, under the CI's host. */
export const COMMANDS_PATH = "/slipway/hook";

const DATA_DIR = "/var/lib/woodpecker";

export interface CiCompose {
    /** The Slipway stack (the `slipway.stack` label) and the swarm stack's name. */
    stack: string;
    stackName: string;
    domain: string;
    /** `:<port>` when HTTPS is not on 443, else "". */
    portSuffix: string;
    /** The overlay network Traefik routes on. */
    network: string;
    /** Swarm secret names: the agent's secret, the metrics token, the forge's OAuth client secret. */
    secrets: { agent: string; metrics: string; forge: string };
    /** The site-CA swarm config's name. */
    siteCa: string;
    images: { server: string; agent: string; clone: string };
    /** The forge users log in with; unset: placeholders. */
    forge?: { url: string | undefined; clientId: string | undefined };
    admins?: string[];
    openToForgeUsers?: boolean;
    capacity?: number;
    labels?: string[];
    /** Woodpecker's server-wide step environment (ciStepEnvironment). */
    stepEnvironment: string;
    /** The `/preview` command service (renderCommandsService), when it runs. */
    commands?: ComposeService;
}

/** What every pipeline step is given (KEY:VALUE,…), which pipeline files also substitute. */
export function ciStepEnvironment(caPem: string | undefined, previews?: { image: string; imagesRecord: string; registry: string }): string {
    return [
        ...(caPem ? [`SLIPWAY_SITE_CA:${Buffer.from(caPem).toString("base64")}`] : []),
        ...(previews ? [`SLIPWAY_PREVIEW_IMAGE:${previews.image}`, `SLIPWAY_IMAGES:${previews.imagesRecord}`, `SLIPWAY_REGISTRY:${previews.registry}`] : []),
    ].join(",");
}

export interface CommandsService {
    stack: string;
    stackName: string;
    domain: string;
    /** The preview step's image, which carries the service. */
    image: string;
    /** Swarm secret names: the hook's secret, the forge admin's password, the CI token. */
    secrets: [hook: string, forgePassword: string, ciToken: string];
    forge: { url: string; username: string };
    siteCa: string;
}

/** The `/preview` command service (scripts/previewCommands.ts), routed at https://ci.<domain>/slipway/hook. */
export function renderCommandsService(c: CommandsService): ComposeService {
    const [hook, forgePassword, ciToken] = c.secrets;
    return {
        image: c.image,
        entrypoint: ["node", "/usr/local/lib/slipway/app/scripts/previewCommands.js"],
        environment: {
            PORT: "8080",
            SLIPWAY_HOOK_SECRET_FILE: `/run/secrets/${hook}`,
            SLIPWAY_FORGE_PASSWORD_FILE: `/run/secrets/${forgePassword}`,
            SLIPWAY_CI_TOKEN_FILE: `/run/secrets/${ciToken}`,
            SLIPWAY_FORGE_URL: c.forge.url,
            SLIPWAY_FORGE_USERNAME: c.forge.username,
            SLIPWAY_CI_URL: "http://server:8000",
            // The forge is reached through the site's Traefik, behind the site's certificate.
            NODE_EXTRA_CA_CERTS: SITE_CA_PATH,
        },
        networks: ["proxy", "ci"],
        secrets: [hook, forgePassword, ciToken],
        configs: [{ source: c.siteCa, target: SITE_CA_PATH }],
        labels: { "slipway.stack": c.stack, ...renderRouteLabels(`${c.stackName}-commands`, `ci.${c.domain}`, 8080, COMMANDS_PATH) },
    };
}

/** The CI's compose document. */
export function renderCiCompose(c: CiCompose): string {
    const { agent, metrics, forge } = c.secrets;
    const extraServices: Record<string, ComposeService> = c.commands ? { commands: c.commands } : {};
    return renderCompose({
        services: {
            server: {
                image: c.images.server,
                environment: {
                    WOODPECKER_HOST: `https://ci.${c.domain}${c.portSuffix}`,
                    WOODPECKER_DATABASE_DRIVER: "sqlite3",
                    WOODPECKER_DATABASE_DATASOURCE: `${DATA_DIR}/woodpecker.sqlite`,
                    WOODPECKER_AGENT_SECRET_FILE: `/run/secrets/${agent}`,
                    WOODPECKER_PROMETHEUS_AUTH_TOKEN_FILE: `/run/secrets/${metrics}`,
                    WOODPECKER_GITEA: "true",
                    WOODPECKER_GITEA_URL: c.forge?.url ?? `https://git.${c.domain}`,
                    WOODPECKER_GITEA_CLIENT: c.forge?.clientId ?? "unconfigured",
                    WOODPECKER_GITEA_SECRET_FILE: `/run/secrets/${forge}`,
                    ...(c.admins?.length ? { WOODPECKER_ADMIN: c.admins.join(",") } : {}),
                    ...(c.openToForgeUsers ? { WOODPECKER_OPEN: "true" } : {}),
                    // Pipelines clone with the platform's own image (nothing can be pulled here),
                    // which Woodpecker trusts with the forge's netrc credentials.
                    WOODPECKER_DEFAULT_CLONE_IMAGE: c.images.clone,
                    // Every step trusts the site's CA (the step images read it: scripts/images/steps/site-ca.sh),
                    // and, with previews, knows the preview image and the site's images.
                    ...(c.stepEnvironment ? { WOODPECKER_ENVIRONMENT: c.stepEnvironment } : {}),
                },
                networks: ["proxy", "ci"],
                secrets: [agent, metrics, forge],
                configs: [{ source: c.siteCa, target: SITE_CA_PATH }],
                mounts: [{ type: "volume", source: "data", target: DATA_DIR }],
                labels: { "slipway.stack": c.stack, ...renderRouteLabels(c.stackName, `ci.${c.domain}`, 8000) },
                // Its database is on this node's volume.
                constraints: ["node.role == manager"],
            },
            ...extraServices,
            agent: {
                image: c.images.agent,
                environment: {
                    WOODPECKER_SERVER: "server:9000",
                    WOODPECKER_AGENT_SECRET_FILE: `/run/secrets/${agent}`,
                    WOODPECKER_BACKEND: "docker",
                    WOODPECKER_MAX_WORKFLOWS: String(c.capacity ?? 2),
                    // Steps join the proxy network too, where the site's hosts (git., registry.) are Traefik.
                    WOODPECKER_BACKEND_DOCKER_NETWORK: c.network,
                    WOODPECKER_AGENT_CONFIG_FILE: "/data/agent.conf",
                    ...(c.labels?.length ? { WOODPECKER_FILTER_LABELS: c.labels.map((l) => `${l}=true`).join(",") } : {}),
                },
                networks: ["ci"],
                secrets: [agent],
                // With a rotated agent secret the new agent cannot register until the new server
                // runs: it restarts until then instead of rolling back to the old secret.
                onUpdateFailure: "continue",
                // The runner starts pipeline containers on this engine: it needs the socket.
                mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }],
                labels: { "slipway.stack": c.stack },
                // Pipelines run on the engine it is bound to: the manager's, whose images setup assembled.
                constraints: ["node.role == manager"],
            },
        },
        networks: { ci: { internal: true } },
        externalNetworks: { proxy: c.network },
        secrets: [agent, metrics, forge, ...Object.values(extraServices).flatMap((x) => x.secrets ?? [])],
        configs: [c.siteCa],
        externalVolumes: { data: `${c.stackName}_data` },
        labels: { "slipway.stack": c.stack },
    });
}
