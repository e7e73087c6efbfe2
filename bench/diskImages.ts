// Benchmark (issue: the disk-image pipeline, Speed). Cold build time of each family for each
// arch (built twice, compared) and its QEMU boot, one at a time: the sum of the parts. Then
// the same twelve through `pulumi up` of examples/disk-images from empty (Pulumi runs the
// independent builds in parallel, both cores busy), and a no-change `up`, which must build
// nothing. Each part starts cold: its own platform name, so no cached build is reused.
//   npm run bench:disk-images
import { performance } from "node:perf_hooks";
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { slipwayCache } from "../lib/cache";
import { bootTest } from "../lib/diskimage/boot";
import { buildArtifact } from "../lib/diskimage/build";
import type { DebPin } from "../lib/diskimage/debs";
import { recipeCommit } from "../lib/diskimage/recipe";
import { buildSpec } from "../lib/diskimage/spec";
import { ARCHES, FAMILIES, bootable } from "../lib/diskimage/targets";
import { changedSteps, throwawayStack } from "../test/support/stack";
import { scratchDir } from "../test/support/tmp";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const KERNEL = { amd64: "6.1.0-56-cloud-amd64", arm64: "6.1.0-56-cloud-arm64" } as const;

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
    const t = performance.now();
    const result = await f();
    return [performance.now() - t, result];
}

async function partsOneAtATime(root: string): Promise<number> {
    const debs = (JSON.parse(readFileSync(join(root, "toolchain.lock.json"), "utf8")) as { debs: Record<string, DebPin> }).debs;
    const recipe = recipeCommit(root);
    const cache = scratchDir("bench-disk-");
    symlinkSync(join(slipwayCache(), "debs"), join(cache, "debs"));
    const platform = `bench-${randomBytes(3).toString("hex")}`;
    let sum = 0;
    console.log("family         arch    build (x2)  boot");
    for (const arch of ARCHES) {
        for (const family of FAMILIES) {
            const spec = buildSpec({ platform, arch, family, kernel: KERNEL[arch], sourceDateEpoch: recipe.sourceDateEpoch, gitSha: recipe.gitSha }, debs);
            const [build, result] = await timed(() => buildArtifact(spec, cache, () => undefined));
            const [boot] = bootable(family, arch) ? await timed(() => bootTest({ platform, arch, family, kernel: KERNEL[arch], dir: result.dir })) : [0];
            sum += build + boot;
            console.log(`${family.padEnd(14)} ${arch.padEnd(7)} ${seconds(build).padStart(10)}  ${bootable(family, arch) ? seconds(boot) : "-"}`);
        }
    }
    rmSync(cache, { recursive: true, force: true });
    return sum;
}

async function main(): Promise<void> {
    const root = process.cwd();
    const sum = await partsOneAtATime(root);
    console.log(`sum of the parts, one at a time: ${seconds(sum)}`);

    let platform = "";
    const t = await throwawayStack(
        (id) => {
            platform = `bench-up-${id}`;
            return {
                "slipway-disk-images:platform": { value: platform },
                "slipway-disk-images:architectures": { value: JSON.stringify(ARCHES) },
                "slipway-disk-images:families": { value: JSON.stringify(FAMILIES) },
                "slipway-disk-images:kernel": { value: JSON.stringify(KERNEL) },
            };
        },
        join(root, "examples", "disk-images"),
    );
    try {
        const [cold, first] = await timed(() => t.stack.up());
        const builds = first.summary.resourceChanges?.create ?? 0;
        const changes = changedSteps();
        const [noChange] = await timed(() => t.stack.up({ onEvent: changes.onEvent }));
        console.log(
            `pulumi up from empty (12 builds, parallel): ${seconds(cold)} = ${(cold / sum).toFixed(2)} of the sum of the parts (${builds} resources created)`,
        );
        console.log(`pulumi up, no change: ${seconds(noChange)}, ${changes.steps.length} steps changed (target 0 builds)`);
        if (changes.steps.length) throw new Error(`the no-change up changed ${JSON.stringify(changes.steps)}`);
    } finally {
        await t.dispose();
        rmSync(join(slipwayCache(), "disk-images", platform), { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
