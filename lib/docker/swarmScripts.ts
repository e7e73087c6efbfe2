// Shell scripts for swarm objects the Docker CLI manages, run by @pulumi/command (whose inputs,
// unlike a dynamic provider's, can be secrets: a secret's content goes in on stdin, encrypted
// in state). Pure; snapshot-tested; every operand quoted by lib/shell.
import { createHash } from "node:crypto";
import { shellJoin, shellQuote } from "../shell";

/** `<prefix>-<first 12 hex of sha256(content)>`: a new content is a new object, so swarm never has to edit one. */
export function contentName(prefix: string, content: string): string {
    return `${prefix}-${createHash("sha256").update(content).digest("hex").slice(0, 12)}`;
}

export interface Scripts {
    create: string;
    delete: string;
}

/** A swarm secret or config from stdin; deleting one already gone is not an error. */
export function renderSwarmObjectScripts(kind: "secret" | "config", name: string, labels: Record<string, string>): Scripts {
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    return {
        create: `${shellJoin(["docker", kind, "create", ...labelArgs, name, "-"])} >/dev/null`,
        delete: `if docker ${kind} inspect ${shellQuote(name)} >/dev/null 2>&1; then ${shellJoin(["docker", kind, "rm", name])} >/dev/null; fi`,
    };
}

/** What destroying a site does with its data volumes (`host.dataOnDestroy`). */
export type DataOnDestroy = "retain" | "delete";

/**
 * A data volume made apart from any stack (registry blobs, the CI database), so that removing
 * or replacing a stack never takes it: created if missing (an existing one, from an earlier
 * deploy, is adopted with its data), and on destroy removed only when the site says `delete`
 * (bounded: the tasks using it must exit first), else kept and said.
 */
export function renderVolumeScripts(name: string, labels: Record<string, string>, onDestroy: DataOnDestroy): Scripts {
    const q = shellQuote(name);
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    return {
        create: `docker volume inspect ${q} >/dev/null 2>&1 || ${shellJoin(["docker", "volume", "create", ...labelArgs, name])} >/dev/null`,
        delete:
            onDestroy === "delete"
                ? [
                      `for _ in $(seq 1 90); do`,
                      `    docker volume inspect ${q} >/dev/null 2>&1 || exit 0`,
                      `    docker volume rm ${q} >/dev/null 2>&1 && exit 0`,
                      "    sleep 1",
                      "done",
                      `echo "volume ${name} is still in use after 90 s" >&2; exit 1`,
                  ].join("\n")
                : `echo "kept the data volume ${name} (host.dataOnDestroy is retain)" >&2`,
    };
}

/**
 * `docker stack deploy` from stdin, waiting until every service has converged (or rolled back,
 * which fails the deploy); and its removal, waiting until the stack's services and networks
 * are gone (so a re-create right after does not collide with them). It removes no volume: a
 * site's data volumes are made apart (renderVolumeScripts), so removing or replacing a stack
 * never removes them.
 */
export function renderStackScripts(stack: string, { withRegistryAuth = false }: { withRegistryAuth?: boolean } = {}): Scripts {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(stack)) throw new Error(`stack name "${stack}" must be lowercase letters, digits, dashes and underscores`);
    const q = shellQuote(stack);
    return {
        // Bounded: a service that never converges fails the deploy, naming where to look.
        create: `timeout 300 ${shellJoin(["docker", "stack", "deploy", "--prune", "--resolve-image", "never", ...(withRegistryAuth ? ["--with-registry-auth"] : []), "--detach=false", "--quiet", "-c", "-", stack])} || { echo "stack ${stack} did not converge: docker stack ps ${stack} --no-trunc shows why" >&2; exit 1; }`,
        delete: [
            `docker stack rm ${q} >/dev/null 2>&1 || true`,
            `ids() { docker $1 ls -q --filter label=com.docker.stack.namespace=${q}; }`,
            // Swarm frees a network only once the tasks using it have exited, and \`stack rm\` does
            // not retry: keep removing what is left, bounded. Volumes are data: never here.
            "for _ in $(seq 1 90); do",
            '    if [ -z "$(ids service)" ]; then',
            '        [ -z "$(ids network)" ] || docker network rm $(ids network) >/dev/null 2>&1 || true',
            '        [ -z "$(ids network)" ] && exit 0',
            "    fi",
            "    sleep 1",
            "done",
            `echo "stack ${stack} still has services or networks after 90 s" >&2; exit 1`,
        ].join("\n"),
    };
}
