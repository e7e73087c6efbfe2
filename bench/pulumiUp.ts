// Benchmark (issue: the platform on swarm, Speed). Wall time of `pulumi up` of the full local
// platform from empty, of a no-op `up`, and of `preview`, with resource counts, against a
// `preview` of examples/no-resources (the same providers and modules, no resources), each on a
// throwaway stack and file backend. Target: no-op up and preview within 2x of that baseline.
//   npm run bench:up [-- <rounds>]
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { freePort } from "../test/support/registries";
import { throwawayStack } from "../test/support/stack";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
    const t = performance.now();
    const result = await f();
    return [performance.now() - t, result];
}

async function main(): Promise<void> {
    const rounds = Number(process.argv[2] ?? 3);
    // Compiled into bin-bench/: the project is where npm runs it.
    const root = process.cwd();
    const ports = { http: await freePort(), https: await freePort() };
    const platform = await throwawayStack((id) => ({
        "slipway:host.networkName": { value: `bench-${id}-proxy` },
        "slipway:proxy.domain": { value: "local.slipway.test" },
        "slipway:proxy.httpPort": { value: String(ports.http) },
        "slipway:proxy.httpsPort": { value: String(ports.https) },
    }), root);
    const baseline = await throwawayStack(() => ({}), join(root, "examples", "no-resources"));
    try {
        const [fromEmpty, first] = await timed(() => platform.stack.up());
        const resources = first.summary.resourceChanges?.create ?? 0;
        const noop: number[] = [];
        const preview: number[] = [];
        const floor: number[] = [];
        for (let i = 0; i < rounds; i++) {
            const [up, result] = await timed(() => platform.stack.up());
            if (Object.keys(result.summary.resourceChanges ?? {}).join() !== "same") throw new Error(`the no-op up changed something: ${JSON.stringify(result.summary.resourceChanges)}`);
            noop.push(up);
            preview.push((await timed(() => platform.stack.preview()))[0]);
            floor.push((await timed(() => baseline.stack.preview()))[0]);
        }
        const base = median(floor);
        console.log(`full local platform: ${resources} resources (median of ${rounds})`);
        console.log(`pulumi up from empty: ${seconds(fromEmpty)}`);
        console.log(`pulumi up, no changes: ${seconds(median(noop))} (${(median(noop) / base).toFixed(2)}x the baseline)`);
        console.log(`pulumi preview: ${seconds(median(preview))} (${(median(preview) / base).toFixed(2)}x the baseline)`);
        console.log(`baseline, preview of the same providers and no resources: ${seconds(base)}`);
        console.log(`target: no-op up and preview within 2x of the baseline: ${median(noop) <= 2 * base && median(preview) <= 2 * base ? "met" : "NOT met"}`);
    } finally {
        await platform.dispose();
        await baseline.dispose();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
