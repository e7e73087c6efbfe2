// Shell scripts that add and remove one swarm node label on the manager the Docker CLI talks
// to. Pure and snapshot-tested; every operand is quoted by lib/shell.
import { shellJoin, shellQuote } from "../shell";

/** The Docker CLI's own id of the node it is connected to. */
const NODE_ID = `"$(docker info --format '{{.Swarm.NodeID}}')"`;

/** Attempts at one node update before its error stands. */
const UPDATE_ATTEMPTS = 10;

export interface NodeLabelScripts {
    create: string;
    delete: string;
}

export function renderNodeLabelScripts(key: string, value: string): NodeLabelScripts {
    // Removing a label that is already gone is not an error on destroy: `docker node update
    // --label-rm` fails for a missing key, so check first.
    const present = `docker node inspect --format '{{json .Spec.Labels}}' ${NODE_ID} | grep -qF ${shellQuote(`${JSON.stringify(key)}:`)}`;
    return {
        create: retryingNodeUpdate(["--label-add", `${key}=${value}`]),
        delete: `if ${present}; then ${retryingNodeUpdate(["--label-rm", key])}; fi`,
    };
}

/**
 * `docker node update` reads the node's version and writes against it; any other update of the
 * same node in between (another label of this stack, another stack's, the engine's own) makes
 * it fail with "update out of sequence". That error, and only that one, is retried, bounded.
 */
function retryingNodeUpdate(args: string[]): string {
    const update = `${shellJoin(["docker", "node", "update", ...args])} ${NODE_ID}`;
    return [
        `i=0; while ! out=$(${update} 2>&1 >/dev/null); do`,
        `case $out in *"update out of sequence"*) ;; *) printf '%s\\n' "$out" >&2; exit 1;; esac;`,
        `i=$((i+1)); if [ "$i" -ge ${UPDATE_ATTEMPTS} ]; then printf '%s\\n' "$out" >&2; exit 1; fi;`,
        `sleep 1; done`,
    ].join(" ");
}
