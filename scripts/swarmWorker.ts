// node bin/scripts/swarmWorker.js join | leave
// What SwarmHost's worker command runs. The worker (WorkerSpec JSON) comes from
// SLIPWAY_WORKER; the SSH key and known hosts from SLIPWAY_SSH_KEY and SLIPWAY_KNOWN_HOSTS only
// (the environment of a command holding secrets, never arguments). join prints one JSON line
// {nodeId, hostname}; leave reads it back from PULUMI_COMMAND_STDOUT (what the join printed),
// else finds the node by its slipway.worker label. Progress goes to stderr.
import { docker } from "../lib/docker/cli";
import { withSshIdentity } from "../lib/docker/sshIdentity";
import { joinWorker, removeWorker, type JoinedWorker, type WorkerSpec } from "../lib/docker/worker";

/** Its command line after `node bin/scripts/swarmWorker.js` (components call it through components/kit/workers). */
export type Args = ["join" | "leave"];

async function main(command: string | undefined) {
    const spec = JSON.parse(process.env.SLIPWAY_WORKER ?? "null") as WorkerSpec | null;
    if (!spec || (command !== "join" && command !== "leave"))
        throw new Error("usage: SLIPWAY_WORKER='<WorkerSpec JSON>' SLIPWAY_SSH_KEY=… SLIPWAY_KNOWN_HOSTS=… swarmWorker.js join|leave");
    const privateKey = process.env.SLIPWAY_SSH_KEY;
    const knownHosts = process.env.SLIPWAY_KNOWN_HOSTS;
    if (!privateKey || !knownHosts)
        throw new Error(`worker ${spec.name}: reaching ${spec.worker} needs the sshPrivateKey secret and host.knownHosts in the stack config`);
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    await withSshIdentity({ privateKey, knownHosts }, async (env) => {
        if (command === "join") {
            const joined = await joinWorker(spec, env, progress);
            process.stdout.write(JSON.stringify(joined) + "\n");
            return;
        }
        const printed = (process.env.PULUMI_COMMAND_STDOUT ?? "").trim().split("\n").pop();
        const nodeId = printed
            ? (JSON.parse(printed) as JoinedWorker).nodeId
            : ((await docker(spec.manager, ["node", "ls", "--quiet", "--filter", `node.label=slipway.worker=${spec.name}`], 30_000, env)).split("\n")[0] ?? "");
        await removeWorker(spec, nodeId, env, progress);
    });
}

main(process.argv[2]).catch((error: Error) => {
    process.stderr.write(`swarmWorker.js: ${error.message}\n`);
    process.exit(1);
});
