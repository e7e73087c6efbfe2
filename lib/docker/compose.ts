// Compose documents for `docker stack deploy`, the way Co-op Cloud recipes describe a stack:
// typed here, rendered as JSON (which the compose loader reads as YAML). Secrets and configs
// are created outside the stack, named by content hash, and referenced as external, so a
// rotation is a new object and a service update, never an in-place edit swarm would refuse.
// Pure; snapshot-tested.

export interface ComposeService {
    /** An image ID (sha256:…) from lib/images, or a registry reference pinned by digest. */
    image: string;
    /** Replaces the image's entrypoint (a script run by the image's shell, say). */
    entrypoint?: string[];
    command?: string[];
    environment?: Record<string, string>;
    /** Networks by their key in the document. */
    networks?: string[];
    /** More names the service answers to on a network (by key): Traefik as the site's hosts, inside the site. */
    aliases?: Record<string, string[]>;
    /** Published in host mode: this machine has no IPVS for the routing mesh, and host mode keeps client IPs. */
    ports?: Array<{ target: number; published: number }>;
    /** External secrets, mounted at /run/secrets/<name>. */
    secrets?: string[];
    /** External configs and where they are mounted. */
    configs?: Array<{ source: string; target: string }>;
    mounts?: Array<{ type: "bind" | "volume"; source: string; target: string; readOnly?: boolean }>;
    /** Service labels (what Traefik's swarm provider reads). */
    labels?: Record<string, string>;
    constraints?: string[];
    /** @default 1 */
    replicas?: number;
    /** Run an init (the engine's docker-init) as PID 1: signals reach the process, children are reaped. */
    init?: boolean;
    /** How long a stopping task gets after SIGTERM before it is killed (e.g. "60s"). @default "10s" */
    stopGracePeriod?: string;
    /** global: one task on every node (replicas then do not apply). @default "replicated" */
    mode?: "replicated" | "global";
    /** dnsrr: reached by task IP through Docker's DNS (no VIP needed). @default "dnsrr" */
    endpointMode?: "vip" | "dnsrr";
    healthcheck?: string[];
    /**
     * What a failed update does: roll back to the previous spec (default), or continue and let
     * the restart policy bring the new tasks up (for a client that cannot start until a peer in
     * the same deploy has: rolling it back would pin it to a secret the peer no longer accepts).
     */
    onUpdateFailure?: "rollback" | "continue";
    /**
     * stop-first: the old task stops before the new one starts (one writer on a SQLite volume).
     * @default "stop-first" with published ports (they cannot be bound twice), else "start-first"
     */
    updateOrder?: "start-first" | "stop-first";
}

export interface ComposeDocument {
    services: Record<string, ComposeService>;
    /** Networks the stack creates (overlay; `internal` ones have no way out). */
    networks?: Record<string, { internal?: boolean }>;
    /** Networks that exist already, by key → real name. */
    externalNetworks?: Record<string, string>;
    secrets?: string[];
    configs?: string[];
    volumes?: string[];
    /** Volumes that exist already (a site's data, made apart from the stack so removing the stack never removes them), by key → real name. */
    externalVolumes?: Record<string, string>;
    /** Labels on the networks and volumes the stack creates (services carry their own). */
    labels?: Record<string, string>;
}

const SERVICE_KEY = /^[a-z0-9][a-z0-9-]*$/;

export function renderCompose(doc: ComposeDocument): string {
    for (const name of Object.keys(doc.services))
        if (!SERVICE_KEY.test(name)) throw new Error(`service name "${name}" must be lowercase letters, digits and dashes`);
    const services = Object.fromEntries(Object.entries(doc.services).map(([name, s]) => [name, renderService(s)]));
    const compose = {
        version: "3.8",
        services,
        networks: {
            ...Object.fromEntries(
                Object.entries(doc.networks ?? {}).map(([k, n]) => [
                    k,
                    { driver: "overlay", ...(n.internal ? { internal: true } : {}), ...(doc.labels ? { labels: doc.labels } : {}) },
                ]),
            ),
            ...Object.fromEntries(Object.entries(doc.externalNetworks ?? {}).map(([k, name]) => [k, { external: true, name }])),
        },
        ...(doc.secrets?.length ? { secrets: Object.fromEntries(doc.secrets.map((s) => [s, { external: true }])) } : {}),
        ...(doc.configs?.length ? { configs: Object.fromEntries(doc.configs.map((c) => [c, { external: true }])) } : {}),
        ...(doc.volumes?.length || Object.keys(doc.externalVolumes ?? {}).length
            ? {
                  volumes: {
                      ...Object.fromEntries((doc.volumes ?? []).map((v) => [v, doc.labels ? { labels: doc.labels } : {}])),
                      ...Object.fromEntries(Object.entries(doc.externalVolumes ?? {}).map(([k, name]) => [k, { external: true, name }])),
                  },
              }
            : {}),
    };
    return `${JSON.stringify(compose, null, 2)}\n`;
}

/** A value the compose loader takes as written: it would substitute `$name` and `${name}` from the deploying shell's environment. */
const literal = (value: string) => value.replaceAll("$", "$$$$");

function renderService(s: ComposeService): Record<string, unknown> {
    return {
        image: s.image,
        ...(s.entrypoint ? { entrypoint: s.entrypoint.map(literal) } : {}),
        ...(s.command ? { command: s.command.map(literal) } : {}),
        ...(s.environment ? { environment: Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, literal(v)])) } : {}),
        ...(s.init ? { init: true } : {}),
        ...(s.stopGracePeriod ? { stop_grace_period: s.stopGracePeriod } : {}),
        ...(s.networks
            ? { networks: s.aliases ? Object.fromEntries(s.networks.map((n) => [n, s.aliases?.[n] ? { aliases: s.aliases[n] } : {}])) : s.networks }
            : {}),
        ...(s.ports ? { ports: s.ports.map((p) => ({ target: p.target, published: p.published, protocol: "tcp", mode: "host" })) } : {}),
        ...(s.secrets ? { secrets: s.secrets.map((source) => ({ source, target: source })) } : {}),
        ...(s.configs ? { configs: s.configs.map((c) => ({ source: c.source, target: c.target })) } : {}),
        ...(s.mounts
            ? { volumes: s.mounts.map((m) => ({ type: m.type, source: m.source, target: m.target, ...(m.readOnly ? { read_only: true } : {}) })) }
            : {}),
        ...(s.healthcheck ? { healthcheck: { test: ["CMD", ...s.healthcheck], interval: "10s", timeout: "5s", retries: 3, start_period: "5s" } } : {}),
        deploy: {
            ...(s.mode === "global" ? { mode: "global" } : { replicas: s.replicas ?? 1 }),
            endpoint_mode: s.endpointMode ?? "dnsrr",
            ...(s.labels ? { labels: s.labels } : {}),
            ...(s.constraints ? { placement: { constraints: s.constraints } } : {}),
            update_config: { order: s.updateOrder ?? (s.ports ? "stop-first" : "start-first"), failure_action: s.onUpdateFailure ?? "rollback" },
            restart_policy: { condition: "any", delay: "2s" },
        },
    };
}
