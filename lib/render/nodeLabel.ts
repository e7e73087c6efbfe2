// Shell scripts that add and remove one swarm node label on the manager the Docker CLI talks
// to. Pure and snapshot-tested; every operand is quoted by lib/shell.
import { shellJoin, shellQuote } from "../shell";

/** The Docker CLI's own id of the node it is connected to. */
const NODE_ID = `"$(docker info --format '{{.Swarm.NodeID}}')"`;

export interface NodeLabelScripts {
    create: string;
    delete: string;
}

export function renderNodeLabelScripts(key: string, value: string): NodeLabelScripts {
    // Removing a label that is already gone is not an error on destroy: `docker node update
    // --label-rm` fails for a missing key, so check first.
    const present = `docker node inspect --format '{{json .Spec.Labels}}' ${NODE_ID} | grep -qF ${shellQuote(`${JSON.stringify(key)}:`)}`;
    return {
        create: `${shellJoin(["docker", "node", "update", "--label-add", `${key}=${value}`])} ${NODE_ID} >/dev/null`,
        delete: `if ${present}; then ${shellJoin(["docker", "node", "update", "--label-rm", key])} ${NODE_ID} >/dev/null; fi`,
    };
}
