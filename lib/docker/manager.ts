// The swarm manager: the engine every Slipway stack deploys through. On a host in no swarm it
// initialises one; a manager already in this swarm is left alone; anything else (a worker, a
// manager of another swarm, a swarm in trouble) is refused, naming the host and what to do.
// An engine that cannot be reached says why (no route, wrong host key, key refused, no engine).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { docker, DockerError } from "./cli";

export interface ManagerSpec {
    /** unix:///… or ssh://user@host[:port] */
    endpoint: string;
    /** The address other nodes reach the manager at (swarm init --advertise-addr). @default the address the endpoint's host resolves to */
    advertiseAddress?: string;
}

export interface ManagerState {
    nodeId: string;
    /** The swarm's cluster ID: a manager found in another one later is refused. */
    clusterId: string;
    /** host:port other nodes join at. */
    nodeAddress: string;
    /** The engine's architecture, as images name it (amd64, arm64, …). */
    architecture: string;
}

interface EngineInfo {
    Architecture: string;
    Swarm: { LocalNodeState: string; NodeID: string; NodeAddr: string; ControlAvailable: boolean; Cluster?: { ID: string } | null; Error?: string };
}

type Env = NodeJS.ProcessEnv;
type Progress = (line: string) => void;

/** Docker's names for the machine (uname -m) as image platforms name them. */
const ARCHITECTURES: Record<string, string> = { x86_64: "amd64", amd64: "amd64", aarch64: "arm64", arm64: "arm64" };

export function architectureOf(machine: string): string {
    return ARCHITECTURES[machine] ?? machine;
}

/** The engine's facts, or an error that says why it cannot be reached and what to check. */
export async function engineInfo(endpoint: string, env: Env): Promise<EngineInfo> {
    try {
        return JSON.parse(await docker(endpoint, ["info", "--format", "{{json .}}"], 60_000, env)) as EngineInfo;
    } catch (error) {
        throw new Error(unreachable(endpoint, error instanceof DockerError ? error.stderr : (error as Error).message));
    }
}

/** What the Docker CLI (and the ssh under it) said, as the operator's next step. */
export function unreachable(endpoint: string, said: string): string {
    const host = endpoint.startsWith("ssh://") ? new URL(endpoint).hostname : endpoint;
    const cause = said.replace(/\s+/g, " ").trim();
    if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|no .* host key is known/i.test(cause)) {
        return `${endpoint}: the host key of ${host} is not the one host.knownHosts holds (${cause}). Check the host, then: ssh-keyscan ${host} > known_hosts && pulumi config set --path host.knownHosts < known_hosts`;
    }
    if (/permission denied \(publickey/i.test(cause))
        return `${endpoint}: ${host} refused the SSH key (${cause}). Add the sshPrivateKey secret's public key to that user's authorized_keys`;
    if (/could not resolve hostname|connection refused|no route to host|connection timed out|network is unreachable|operation timed out/i.test(cause)) {
        return `${endpoint}: ${host} cannot be reached over SSH (${cause}). Check the address in host.endpoint, that sshd runs there and that the firewall lets this machine in`;
    }
    if (/docker: (command )?not found|docker: not found|cannot connect to the docker daemon|is the docker daemon running|docker\.sock: connect/i.test(cause)) {
        return `${endpoint}: ${host} has no Docker Engine answering (${cause}). Install Docker Engine there (Debian: apt-get install docker.io), start it, and put the SSH user in the docker group`;
    }
    return `${endpoint}: the Docker Engine cannot be reached (${cause || "no output"}). Check host.endpoint, the SSH access and that Docker Engine runs there`;
}

/**
 * Makes `spec.endpoint` the manager of a swarm and returns its facts. `recordedClusterId` is the
 * swarm a previous run found: a host now in another one is refused rather than adopted.
 */
export async function ensureManager(spec: ManagerSpec, recordedClusterId: string | undefined, env: Env, progress: Progress): Promise<ManagerState> {
    let info = await engineInfo(spec.endpoint, env);
    const swarm = info.Swarm;
    if (swarm.LocalNodeState === "inactive") {
        const address = spec.advertiseAddress ?? (await resolveHost(spec.endpoint));
        progress(`${spec.endpoint}: in no swarm: initialising one, advertised at ${address}`);
        await docker(spec.endpoint, ["swarm", "init", "--advertise-addr", address], 120_000, env);
        info = await engineInfo(spec.endpoint, env);
    } else if (swarm.LocalNodeState !== "active") {
        throw new Error(
            `${spec.endpoint}: its swarm state is "${swarm.LocalNodeState}"${swarm.Error ? ` (${swarm.Error})` : ""}, not an active manager. Repair it (docker swarm leave --force, or unlock it) and run pulumi up again`,
        );
    } else if (!swarm.ControlAvailable) {
        throw new Error(
            `${spec.endpoint}: it is a worker of a swarm, not a manager. Point host.endpoint at that swarm's manager, or make this host leave it (docker swarm leave) so Slipway initialises its own`,
        );
    }
    const now = info.Swarm;
    const clusterId = now.Cluster?.ID ?? "";
    if (!now.ControlAvailable || !clusterId)
        throw new Error(`${spec.endpoint}: not a swarm manager after initialising (state ${now.LocalNodeState}): check docker info there`);
    if (recordedClusterId && recordedClusterId !== clusterId) {
        throw new Error(
            `${spec.endpoint}: it manages swarm ${clusterId}, not swarm ${recordedClusterId} that this stack deployed to. ` +
                "If the swarm was rebuilt on purpose, run pulumi refresh and then pulumi up to deploy into the new one; otherwise point host.endpoint at the right host",
        );
    }
    if (spec.advertiseAddress && !now.NodeAddr.startsWith(spec.advertiseAddress)) {
        progress(
            `${spec.endpoint}: the swarm advertises ${now.NodeAddr}, not host.advertiseAddress ${spec.advertiseAddress}; an existing swarm keeps its address`,
        );
    }
    return { nodeId: now.NodeID, clusterId, nodeAddress: now.NodeAddr, architecture: architectureOf(info.Architecture) };
}

/** The address an ssh:// endpoint's host resolves to (from this machine), for --advertise-addr. */
async function resolveHost(endpoint: string): Promise<string> {
    if (!endpoint.startsWith("ssh://"))
        throw new Error(`${endpoint}: a local engine in no swarm needs host.advertiseAddress (or run scripts/setup, which initialises this machine's swarm)`);
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
    if (isIP(host)) return host;
    try {
        return (await lookup(host)).address;
    } catch (error) {
        throw new Error(`${endpoint}: ${host} does not resolve (${(error as Error).message}): set host.advertiseAddress`);
    }
}
