// node bin/scripts/diskImage.js build '<BuildSpec JSON>' [--no-boot]
// node bin/scripts/diskImage.js fetch      (every .deb toolchain.lock.json pins, into the cache)
// Builds one disk-image family for one arch (twice, compared), boots it under QEMU when it
// is bootable, and prints one JSON line on stdout: the build folder, its manifest and the
// boot result. Progress goes to stderr. The DiskImageBuild component runs this; so can you.
import { bootTest } from "../lib/diskimage/boot";
import { buildArtifact } from "../lib/diskimage/build";
import type { BuildSpec } from "../lib/diskimage/spec";
import { bootable } from "../lib/diskimage/targets";
import { slipwayCache } from "../lib/cache";
import { extractDeb, type DebPin } from "../lib/diskimage/debs";
import type { Arch } from "../lib/diskimage/targets";
import { readFileSync } from "node:fs";
import { join } from "node:path";

async function main(argv: string[]) {
    const [command, specJson, ...flags] = argv;
    if (command === "fetch") return fetchAll();
    if (command !== "build" || !specJson) throw new Error("usage: diskImage.js build '<BuildSpec JSON>' [--no-boot] | diskImage.js fetch");
    const spec = JSON.parse(specJson) as BuildSpec;
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const result = await buildArtifact(spec, slipwayCache(), progress);
    let boot: { line: string; seconds: number } | undefined;
    if (bootable(spec.family, spec.arch) && !flags.includes("--no-boot")) {
        progress(`${spec.platform} ${spec.family}/${spec.arch}: boot test under QEMU…`);
        boot = await bootTest({ platform: spec.platform, arch: spec.arch, family: spec.family, kernel: spec.kernel, dir: result.dir });
        progress(`${spec.platform} ${spec.family}/${spec.arch}: booted in ${boot.seconds.toFixed(1)} s: ${boot.line}`);
    }
    process.stdout.write(JSON.stringify({ dir: result.dir, built: result.built, manifest: result.manifest, boot }) + "\n");
}

async function fetchAll() {
    const lock = JSON.parse(readFileSync(join(__dirname, "..", "..", "toolchain.lock.json"), "utf8")) as { debs?: Record<string, DebPin> };
    const pins = Object.entries(lock.debs ?? {});
    for (const [key, pin] of pins) {
        const [pkg, arch] = key.split(":") as [string, Arch];
        await extractDeb({ package: pkg, arch, ...pin }, slipwayCache());
    }
    process.stderr.write(`    ${pins.length} pinned Debian packages in ${join(slipwayCache(), "debs")}\n`);
}

main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`disk image build failed: ${error.message}\n`);
    process.exit(1);
});
