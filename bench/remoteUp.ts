// Benchmark (issue: a real site from zero, item 4). A no-op `pulumi up` of a remote site (its
// manager an engine in a network namespace reached over SSH with the stack's key, as in the
// remote-site e2e) against the same on `local` (this machine's engine over its socket): the same
// platform config but for the endpoint and its SSH access, no disk images. Target: the remote
// no-op up costs at most 2x the local one. Every timed step is the `pulumi` CLI itself
// (`up --yes --skip-preview --expect-no-changes`), rounds alternating remote and local.
//   npm run bench:remote-up [-- <rounds>]
import { performance } from "node:perf_hooks";
import { must } from "../test/support/exec";
import { freePort } from "../test/support/registries";
import { throwawayStack, type ThrowawayStack } from "../test/support/stack";
import { startWorkerNode } from "../test/support/workerNode";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function pulumi(t: ThrowawayStack, root: string, ...args: string[]): Promise<string> {
    const env = { ...process.env, PULUMI_BACKEND_URL: `file://${t.backend}`, PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway" };
    return must("pulumi", [...args, "--stack", t.stack.name, "--non-interactive"], { env, cwd: root, timeoutMs: 900_000 });
}

async function timedUp(t: ThrowawayStack, root: string): Promise<number> {
    const start = performance.now();
    // --expect-no-changes: a no-op up that changed something fails the benchmark.
    await pulumi(t, root, "up", "--yes", "--skip-preview", "--expect-no-changes");
    return performance.now() - start;
}

async function main(): Promise<void> {
    const rounds = Number(process.argv[2] ?? 5);
    const root = process.cwd();
    const node = await startWorkerNode();
    const ports = { http: await freePort(), https: await freePort() };
    const common = (id: string) => ({
        "slipway:host.networkName": { value: `bench-${id}-proxy` },
        "slipway:host.dataOnDestroy": { value: "delete" },
        "slipway:proxy.domain": { value: "bench.slipway.test" },
    });
    const remote = await throwawayStack((id) => ({
        ...common(id),
        "slipway:host.endpoint": { value: node.endpoint },
        "slipway:host.knownHosts": { value: node.knownHosts },
        "slipway:sshPrivateKey": { value: node.privateKey, secret: true },
    }));
    const local = await throwawayStack((id) => ({
        ...common(id),
        "slipway:proxy.httpPort": { value: String(ports.http) },
        "slipway:proxy.httpsPort": { value: String(ports.https) },
    }));
    try {
        const first = performance.now();
        await pulumi(remote, root, "up", "--yes", "--skip-preview");
        const remoteFromEmpty = performance.now() - first;
        await pulumi(local, root, "up", "--yes", "--skip-preview");
        const times = { remote: [] as number[], local: [] as number[] };
        for (let i = 0; i < rounds; i++) {
            times.remote.push(await timedUp(remote, root));
            times.local.push(await timedUp(local, root));
        }
        const ratio = median(times.remote) / median(times.local);
        console.log(`remote site from empty (swarm made, images shipped over SSH): ${seconds(remoteFromEmpty)}`);
        console.log(`no-op up, remote over SSH: ${seconds(median(times.remote))} (rounds: ${times.remote.map(seconds).join(", ")})`);
        console.log(`no-op up, local socket:    ${seconds(median(times.local))} (rounds: ${times.local.map(seconds).join(", ")})`);
        console.log(`ratio ${ratio.toFixed(2)}x; target at most 2x: ${ratio <= 2 ? "met" : "NOT met"}`);
        if (ratio > 2) process.exitCode = 1;
    } finally {
        await remote.dispose();
        await local.dispose();
        await node.dispose();
    }
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
});
