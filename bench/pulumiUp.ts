// Benchmark (issue: the platform on swarm, Speed). Wall time of `pulumi up` of the full local
// stack (Pulumi.local.yaml's config: the platform and its twelve disk images; its own ports and
// network name) from empty, of a no-op `up`, and of `preview`, with resource counts, against a
// `preview` of examples/no-resources (the same modules and the same two provider plugins started,
// no resources), each on a throwaway stack and file backend. Target: no-op up and preview within
// 2x of that baseline.
// Every timed step is the `pulumi` CLI itself, as operators and CI run it (`up --yes
// --skip-preview`, `preview`), never the Automation API's `up()`: that one runs two more CLI
// commands after the update (stack outputs and history), which its `preview()` does not, so it
// would time those too, for `up` only.
//   npm run bench:up [-- <rounds>]
import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { must } from "../test/support/exec";
import { freePort } from "../test/support/registries";
import { throwawayStack, urnsInState, type ThrowawayStack } from "../test/support/stack";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
    const t = performance.now();
    const result = await f();
    return [performance.now() - t, result];
}

/** A structured config value as the `--path` keys `pulumi config set --path` would write. */
function pathConfig(path: string, value: unknown): Array<[string, { value: string }]> {
    if (Array.isArray(value)) return value.flatMap((v, i) => pathConfig(`${path}[${i}]`, v));
    if (value !== null && typeof value === "object")
        return Object.entries(value).flatMap(([k, v]) => pathConfig(/^[A-Za-z_]\w*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, v));
    return [[path, { value: String(value) }]];
}

/** `pulumi <args>` on the throwaway stack, from its program's folder, with its backend. */
function pulumi(t: ThrowawayStack, workDir: string, ...args: string[]): Promise<string> {
    const env = { ...process.env, PULUMI_BACKEND_URL: `file://${t.backend}`, PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway" };
    return must("pulumi", [...args, "--stack", t.stack.name, "--non-interactive"], { env, cwd: workDir, timeoutMs: 600_000 });
}

async function main(): Promise<void> {
    const rounds = Number(process.argv[2] ?? 5);
    // Compiled into bin-bench/: the project is where npm runs it.
    const root = process.cwd();
    const ports = { http: await freePort(), https: await freePort() };
    // The local stack's config as it is committed, on ports and a network of its own.
    const local = (load(readFileSync(join(root, "Pulumi.local.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }).config;
    const platform = await throwawayStack(
        (id) => ({
            ...Object.fromEntries(Object.entries(local).flatMap(([key, value]) => pathConfig(key, value))),
            "slipway:proxy.httpPort": { value: String(ports.http) },
            "slipway:proxy.httpsPort": { value: String(ports.https) },
            "slipway:host.networkName": { value: `bench-${id}-proxy` },
        }),
        root,
    );
    const baseline = await throwawayStack(() => ({}), join(root, "examples", "no-resources"));
    try {
        const baselineDir = join(root, "examples", "no-resources");
        const [fromEmpty] = await timed(() => pulumi(platform, root, "up", "--yes", "--skip-preview"));
        const resources = (await urnsInState(platform.stack)).filter(
            (urn) => !urn.includes("::pulumi:providers:") && !urn.includes("::pulumi:pulumi:Stack::"),
        ).length;
        // The baseline's providers exist too, so its previews are no-op previews like the platform's.
        await pulumi(baseline, baselineDir, "up", "--yes", "--skip-preview");
        const noop: number[] = [];
        const preview: number[] = [];
        const floor: number[] = [];
        for (let i = 0; i < rounds; i++) {
            // --expect-no-changes: a no-op up that changed something fails the benchmark.
            noop.push((await timed(() => pulumi(platform, root, "up", "--yes", "--skip-preview", "--expect-no-changes")))[0]);
            preview.push((await timed(() => pulumi(platform, root, "preview")))[0]);
            floor.push((await timed(() => pulumi(baseline, baselineDir, "preview")))[0]);
        }
        const base = median(floor);
        console.log(`full local stack: ${resources} resources (median of ${rounds})`);
        console.log(`pulumi up from empty: ${seconds(fromEmpty)}`);
        console.log(`pulumi up, no changes: ${seconds(median(noop))} (${(median(noop) / base).toFixed(2)}x the baseline)`);
        console.log(`pulumi preview: ${seconds(median(preview))} (${(median(preview) / base).toFixed(2)}x the baseline)`);
        console.log(`baseline, preview of examples/no-resources (the same modules and providers, no resources): ${seconds(base)}`);
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
