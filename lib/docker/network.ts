// Swarm overlay networks through the Docker CLI: the logic behind the SwarmNetwork dynamic
// provider, tested against the real engine.
import { docker, isNotFound } from "./cli";
import { sshAccessEnv } from "./sshIdentity";

export interface NetworkSpec {
    name: string;
    driver: string;
    attachable: boolean;
    labels: Record<string, string>;
}

export interface NetworkState extends NetworkSpec {
    id: string;
    scope: string;
}

interface Inspected {
    Id: string;
    Name: string;
    Driver: string;
    Attachable: boolean;
    Scope: string;
    Labels: Record<string, string> | null;
}

/** The network with this id or name, or undefined when the engine has none. */
export async function inspectNetwork(endpoint: string, idOrName: string, sshAccess?: string): Promise<NetworkState | undefined> {
    let text: string;
    try {
        text = await docker(endpoint, ["network", "inspect", "--format", "{{json .}}", idOrName], 60_000, sshAccessEnv(sshAccess));
    } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
    }
    const n = JSON.parse(text) as Inspected;
    return { id: n.Id, name: n.Name, driver: n.Driver, attachable: n.Attachable, scope: n.Scope, labels: n.Labels ?? {} };
}

const sameSpec = (a: NetworkSpec, b: NetworkSpec) =>
    a.name === b.name && a.driver === b.driver && a.attachable === b.attachable && JSON.stringify(sortKeys(a.labels)) === JSON.stringify(sortKeys(b.labels));

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Creates the network. One that already exists with exactly this spec (labels included, so it
 * is this stack's, left by an interrupted run) is adopted: a re-run converges. Any other
 * network of that name is refused, never taken over.
 */
export async function createNetwork(endpoint: string, spec: NetworkSpec, sshAccess?: string): Promise<NetworkState> {
    const existing = await inspectNetwork(endpoint, spec.name, sshAccess);
    if (existing) {
        if (sameSpec(existing, spec)) return existing;
        throw new Error(
            `a network named "${spec.name}" already exists on ${endpoint} (id ${existing.id.slice(0, 12)}) and is not this stack's ` +
                `(driver ${existing.driver}, labels ${JSON.stringify(existing.labels)}): remove it (docker network rm ${spec.name}) or choose another host.networkName`,
        );
    }
    const args = ["network", "create", "--driver", spec.driver];
    if (spec.attachable) args.push("--attachable");
    for (const [k, v] of Object.entries(spec.labels)) args.push("--label", `${k}=${v}`);
    await docker(endpoint, [...args, spec.name], 120_000, sshAccessEnv(sshAccess));
    const created = await inspectNetwork(endpoint, spec.name, sshAccess);
    if (!created) throw new Error(`docker network create ${spec.name} on ${endpoint} succeeded but the network cannot be found`);
    return created;
}

/** Removes the network; one already gone is not an error. */
export async function removeNetwork(endpoint: string, id: string, sshAccess?: string): Promise<void> {
    try {
        await docker(endpoint, ["network", "rm", id], 120_000, sshAccessEnv(sshAccess));
    } catch (error) {
        if (!isNotFound(error)) throw error;
    }
}
