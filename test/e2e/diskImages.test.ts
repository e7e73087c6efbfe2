// A node platform's twelve disk images through the real CLI: `up` builds both arches × six
// families (each built twice and compared, each bootable one booted under QEMU); a second
// `up` builds nothing; bumping the amd64 kernel rebuilds exactly the six amd64 artifacts.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slipwayCache } from "../../lib/cache";
import { sha256File } from "../../lib/diskimage/debs";
import type { BuildManifest } from "../../lib/diskimage/manifest";
import { FAMILIES, bootable, type Arch, type Family } from "../../lib/diskimage/targets";
import { ROOT } from "../support/prerequisites";
import { changedSteps, throwawayStack, type ThrowawayStack } from "../support/stack";

type Builds = Record<string, { buildDigest: string; artifacts: BuildManifest["artifacts"]; bootSeconds: number | null }>;
const ALL = (["amd64", "arm64"] as Arch[]).flatMap((arch) => FAMILIES.map((family) => ({ arch, family })));

describe("DiskImagePipeline in a real pulumi up", () => {
    let t: ThrowawayStack;
    let platform: string;
    let first: Builds;

    beforeAll(async () => {
        t = await throwawayStack(
            (id) => {
                // A platform name per run: its digests are new, so every build really runs.
                platform = `e2e-${id}`;
                return {
                    "slipway-disk-images:platform": { value: platform },
                    "slipway-disk-images:architectures": { value: JSON.stringify(["amd64", "arm64"]) },
                    "slipway-disk-images:families": { value: JSON.stringify(FAMILIES) },
                    "slipway-disk-images:kernel": { value: JSON.stringify({ amd64: "6.1.0-56-cloud-amd64", arm64: "6.1.0-56-cloud-arm64" }) },
                };
            },
            join(ROOT, "examples", "disk-images"),
        );
    });
    afterAll(async () => {
        await t?.dispose();
        // This run's builds are in the cache under its own platform name: nobody reuses them.
        if (platform) rmSync(join(slipwayCache(), "disk-images", platform), { recursive: true, force: true });
    });

    it("builds all twelve, boots every bootable one, and each file is what its manifest says", async () => {
        const result = await t.stack.up();
        first = result.outputs.builds!.value as Builds;
        expect(Object.keys(first).sort()).toEqual(ALL.map(({ arch, family }) => `${family}/${arch}`).sort());
        for (const { arch, family } of ALL) {
            const b = first[`${family}/${arch}`]!;
            if (bootable(family, arch)) expect(b.bootSeconds).toBeGreaterThan(0);
            else expect(b.bootSeconds).toBeNull();
            const dir = join(slipwayCache(), "disk-images", platform, arch, family, b.buildDigest);
            const manifest = JSON.parse(readFileSync(join(dir, "build-manifest.json"), "utf8")) as BuildManifest;
            expect(manifest.artifacts).toEqual(b.artifacts);
            for (const a of manifest.artifacts) expect(sha256File(join(dir, a.name))).toBe(a.sha256);
        }
        // Progress reached the operator's output.
        expect(result.stdout).toMatch(/rebuild for the reproducibility check \[3\/4\]: done in/);
        expect(result.stdout).toMatch(/boot test under QEMU \[4\/4\]…/);
        expect(result.stdout).toMatch(new RegExp(`booted in [0-9.]+ s: SLIPWAY-BOOT-OK platform=${platform} arch=arm64`));
    });

    it("a second up builds nothing", async () => {
        const changes = changedSteps();
        await t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
    });

    it("bumping the amd64 kernel rebuilds exactly the amd64 artifacts", async () => {
        await t.stack.setConfig("slipway-disk-images:kernel", { value: JSON.stringify({ amd64: "6.1.0-55-cloud-amd64", arm64: "6.1.0-56-cloud-arm64" }) });
        const changes = changedSteps();
        const result = await t.stack.up({ onEvent: changes.onEvent });
        const rebuilt = [...new Set(changes.steps.map((s) => s.urn.split("::").pop()!))].sort();
        expect(rebuilt).toEqual(FAMILIES.map((f: Family) => `node-${f}-amd64`).sort());
        const now = result.outputs.builds!.value as Builds;
        for (const { arch, family } of ALL) {
            const same = now[`${family}/${arch}`]!.buildDigest === first[`${family}/${arch}`]!.buildDigest;
            expect([`${family}/${arch}`, same]).toEqual([`${family}/${arch}`, arch === "arm64"]);
        }
        expect(result.stdout).toMatch(/SLIPWAY-BOOT-OK platform=\S+ arch=amd64 kernel=6\.1\.0-55-cloud-amd64/);
    });
});
