// One node platform's disk images, built from the lock's pinned Debian packages at the
// recipe's commit: config `platform`, `architectures`, `families`, `kernel` (arch → ABI name).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DiskImagePipeline } from "../../components/diskImagePipeline";
import type { DebPin } from "../../lib/diskimage/debs";
import { recipeCommit } from "../../lib/diskimage/recipe";
import type { Arch, Family } from "../../lib/diskimage/targets";

const root = join(__dirname, "..", "..", "..");
const config = new pulumi.Config();
const lock = JSON.parse(readFileSync(join(root, "toolchain.lock.json"), "utf8")) as { debs: Record<string, DebPin> };
const pipeline = new DiskImagePipeline("node", {
    platform: config.require("platform"),
    architectures: config.requireObject<Arch[]>("architectures"),
    families: config.requireObject<Family[]>("families"),
    kernel: config.requireObject<Partial<Record<Arch, string>>>("kernel"),
    recipe: recipeCommit(root),
    debs: lock.debs,
});

export const builds = pipeline.builds.apply((all) =>
    Object.fromEntries(all.map((b) => [`${b.family}/${b.arch}`, { buildDigest: b.buildDigest, artifacts: b.manifest.artifacts, bootSeconds: b.bootSeconds ?? null }])),
);
