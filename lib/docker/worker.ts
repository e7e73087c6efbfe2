// A swarm worker joined from its Docker engine over SSH, and removed again: what SwarmHost's
// worker command runs. Idempotent both ways, so a re-run converges: a worker already in this
// swarm is not joined twice, a worker already gone is not an error. Fails closed, naming the
// host, the cause and the fix.
import { docker, DockerError, nodeUpdate } from "./cli";

export interface WorkerSpec {
    /** Name in config: written as the node label slipway.worker=<name>, which places services on it. */
    name: string;
    /** Docker endpoint of the manager (any form the CLI speaks). */
    manager: string;
    /** ssh://user@host[:port] of the worker's engine. */
    worker: string;
    labels: Record<string, string>;
}

export interface JoinedWorker {
    nodeId: string;
    hostname: string;
}

type Env = NodeJS.ProcessEnv;
type Progress = (line: string) => void;

interface SwarmInfo {
    LocalNodeState: string;
    NodeID: string;
    NodeAddr: string;
    Cluster?: { ID: string } | null;
}

const swarmInfo = async (endpoint: string, env: Env): Promise<SwarmInfo> =>
    JSON.parse(await docker(endpoint, ["info", "--format", "{{json .Swarm}}"], 60_000, env)) as SwarmInfo;

/** The worker's engine, or why it cannot be reached and what to check. */
async function workerInfo(spec: WorkerSpec, env: Env): Promise<SwarmInfo> {
    try {
        return await swarmInfo(spec.worker, env);
    } catch (error) {
        const why = error instanceof DockerError ? error.stderr : (error as Error).message;
        throw new Error(
            `worker ${spec.name} (${spec.worker}) cannot be reached: ${why}. Check that it answers SSH with the key in the sshPrivateKey secret, that its host key is in host.knownHosts (ssh-keyscan <host>), and that its user can run docker`,
        );
    }
}

export async function joinWorker(spec: WorkerSpec, env: Env, progress: Progress): Promise<JoinedWorker> {
    const manager = await swarmInfo(spec.manager, env);
    if (manager.LocalNodeState !== "active" || !manager.Cluster?.ID)
        throw new Error(`the manager ${spec.manager} is not a swarm manager (state ${manager.LocalNodeState}): run pulumi up without workers first`);
    let worker = await workerInfo(spec, env);
    if (worker.LocalNodeState === "active" && worker.Cluster?.ID !== undefined && worker.Cluster?.ID !== manager.Cluster.ID) {
        throw new Error(`worker ${spec.name} (${spec.worker}) is a manager of another swarm: leave it first (docker swarm leave --force on that host)`);
    }
    const inThisSwarm = worker.LocalNodeState === "active" && (await nodeExists(spec.manager, worker.NodeID, env));
    if (!inThisSwarm) {
        if (worker.LocalNodeState !== "inactive") {
            // A worker of another (or a forgotten) swarm: it must leave before it can join this one.
            progress(`worker ${spec.name}: leaving the swarm it was in (${worker.LocalNodeState})`);
            await docker(spec.worker, ["swarm", "leave", "--force"], 60_000, env);
        }
        const token = await docker(spec.manager, ["swarm", "join-token", "--quiet", "worker"], 30_000, env);
        progress(`worker ${spec.name}: joining ${manager.NodeAddr}:2377`);
        await docker(spec.worker, ["swarm", "join", "--token", token, `${manager.NodeAddr}:2377`], 120_000, env);
        worker = await workerInfo(spec, env);
    }
    await waitUntilReady(spec, worker.NodeID, env);
    const labels = { ...spec.labels, "slipway.worker": spec.name };
    const current = JSON.parse(await docker(spec.manager, ["node", "inspect", worker.NodeID, "--format", "{{json .Spec.Labels}}"], 30_000, env)) as Record<
        string,
        string
    > | null;
    // Labels are this worker's config: what config no longer says goes.
    const stale = Object.keys(current ?? {}).filter((k) => !(k in labels));
    await nodeUpdate(
        spec.manager,
        [
            ...Object.entries(labels).flatMap(([k, v]) => ["--label-add", `${k}=${v}`]),
            ...stale.flatMap((k) => ["--label-rm", k]),
            "--availability",
            "active",
            worker.NodeID,
        ],
        env,
    );
    const hostname = await docker(spec.manager, ["node", "inspect", worker.NodeID, "--format", "{{.Description.Hostname}}"], 30_000, env);
    progress(`worker ${spec.name}: node ${worker.NodeID} (${hostname}) ready, labels ${Object.keys(labels).join(", ")}`);
    return { nodeId: worker.NodeID, hostname };
}

/** Drains the node (its tasks move elsewhere), makes the worker leave, removes the node. */
export async function removeWorker(spec: WorkerSpec, nodeId: string, env: Env, progress: Progress): Promise<void> {
    if (!(await nodeExists(spec.manager, nodeId, env))) {
        progress(`worker ${spec.name}: node ${nodeId} is not in the swarm any more`);
        return;
    }
    progress(`worker ${spec.name}: draining node ${nodeId}`);
    await nodeUpdate(spec.manager, ["--availability", "drain", nodeId], env);
    // Bounded: running tasks stop and are rescheduled elsewhere.
    for (let i = 0; i < 120; i++) {
        const running = (await docker(spec.manager, ["node", "ps", nodeId, "--filter", "desired-state=running", "--format", "{{.ID}}"], 30_000, env))
            .split("\n")
            .filter(Boolean);
        if (running.length === 0) break;
        if (i === 119)
            throw new Error(
                `worker ${spec.name}: ${running.length} tasks still run on node ${nodeId} after 120 s of draining: docker node ps ${nodeId} shows them`,
            );
        await new Promise((r) => setTimeout(r, 1000));
    }
    try {
        await docker(spec.worker, ["swarm", "leave"], 60_000, env);
    } catch (error) {
        // An unreachable worker cannot leave by itself; the manager still forgets it below.
        progress(`worker ${spec.name}: could not leave from ${spec.worker} (${(error as Error).message}); removing it from the manager anyway`);
    }
    await docker(spec.manager, ["node", "rm", "--force", nodeId], 30_000, env);
    progress(`worker ${spec.name}: node ${nodeId} removed`);
}

async function nodeExists(manager: string, nodeId: string, env: Env): Promise<boolean> {
    if (!nodeId) return false;
    try {
        await docker(manager, ["node", "inspect", nodeId, "--format", "{{.ID}}"], 30_000, env);
        return true;
    } catch (error) {
        if (error instanceof DockerError && /no such node|not found/i.test(error.stderr)) return false;
        throw error;
    }
}

async function waitUntilReady(spec: WorkerSpec, nodeId: string, env: Env): Promise<void> {
    let state = "";
    for (let i = 0; i < 60; i++) {
        state = await docker(spec.manager, ["node", "inspect", nodeId, "--format", "{{.Status.State}}"], 30_000, env);
        if (state === "ready") return;
        await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(
        `worker ${spec.name}: node ${nodeId} is ${state}, not ready, 60 s after joining: its engine must reach the manager on TCP 2377 and 7946, UDP 7946 and 4789`,
    );
}
