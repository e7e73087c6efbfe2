// One node platform's disk images, built from the lock's pinned Debian packages at the
// recipe's commit: config `platform`, `architectures`, `families`, `kernel` (arch → ABI name).
// With `registry` set, each family is published there (`username`, secret `password`, and
// `caCertificate` for a private CA), signed with a key this stack generates, verified, and
// the repository kept to `keep` publications (`maxDeletes` per run; `dryRun`: report what would
// go, delete nothing); `current` (family → index digest) pins a rollback.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DiskImagePipeline } from "../../components/diskimage/diskImagePipeline";
import { CosignKeyPair } from "../../dynamic-providers/cosignKeyPair";
import type { DebPin } from "../../lib/diskimage/debs";
import { recipeCommit } from "../../lib/diskimage/recipe";
import type { Arch, Family } from "../../lib/diskimage/targets";

const root = join(__dirname, "..", "..", "..");
const config = new pulumi.Config();
const lock = JSON.parse(readFileSync(join(root, "toolchain.lock.json"), "utf8")) as { debs: Record<string, DebPin> };
const registry = config.get("registry");
const signingKey = registry ? new CosignKeyPair("signing-key") : undefined;
const pipeline = new DiskImagePipeline("node", {
    platform: config.require("platform"),
    architectures: config.requireObject<Arch[]>("architectures"),
    families: config.requireObject<Family[]>("families"),
    kernel: config.requireObject<Partial<Record<Arch, string>>>("kernel"),
    ...(config.getObject("initramfs") ? { initramfs: config.requireObject<{ packages: string[]; agent?: string }>("initramfs") } : {}),
    recipe: recipeCommit(root),
    debs: lock.debs,
    ...(registry && signingKey
        ? {
              publish: {
                  stack: pulumi.getStack(),
                  registry,
                  insecure: config.getBoolean("insecure") ?? false,
                  ...(config.get("caCertificate") ? { caCertificate: config.require("caCertificate") } : {}),
                  username: config.require("username"),
                  password: config.requireSecret("password"),
                  signing: { privateKey: signingKey.privateKey, password: signingKey.password, publicKey: signingKey.publicKey },
                  keep: config.getNumber("keep") ?? 3,
                  maxDeletes: config.getNumber("maxDeletes") ?? 100,
                  dryRun: config.getBoolean("dryRun") ?? false,
                  current: config.getObject<Partial<Record<Family, string>>>("current") ?? {},
              },
          }
        : {}),
});

export const builds = pipeline.builds.apply((all) =>
    Object.fromEntries(
        all.map((b) => [`${b.family}/${b.arch}`, { buildDigest: b.buildDigest, artifacts: b.manifest.artifacts, bootSeconds: b.bootSeconds ?? null }]),
    ),
);
export const publications = pipeline.publications;
export const current = pipeline.current;
export const publicKey = signingKey?.publicKey;
