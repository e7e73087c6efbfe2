// node bin/scripts/diskImage.js build '<BuildSpec JSON>' [--no-boot]
// node bin/scripts/diskImage.js fetch      (every .deb toolchain.lock.json pins, into the cache)
// node bin/scripts/diskImage.js publish <credentials dir> < '<{registry, insecure?, request: PublishRequest}>'
// node bin/scripts/diskImage.js sign <registry/repo@sha256:…> <credentials dir> [--insecure]
// A credentials dir is a folder in Slipway's cache that registryAuth.js login wrote (registry
// credentials, a private CA); publish and sign read it. The signing key (COSIGN_PRIVATE_KEY, COSIGN_PASSWORD)
// comes from sign's environment only.
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
import { clientFor, waitUntilServing } from "../lib/oci/connect";
import { publish, type PublishRequest } from "../lib/diskimage/publish";
import { cosignSign } from "../lib/diskimage/sign";
import { credentialsPath } from "../lib/registry/credentialsDir";

/** Its command line after `node bin/scripts/diskImage.js` (components call it through components/kit/workers). */
export type Args =
    | ["build", specJson: string, ...flags: "--no-boot"[]]
    | ["fetch"]
    | ["publish", credentialsDir: string]
    | ["sign", reference: string, credentialsDir: string, ...flags: "--insecure"[]];

async function main(argv: string[]) {
    const [command, specJson, ...flags] = argv;
    if (command === "fetch") return fetchAll();
    if (command === "publish" && specJson) return publishFromStdin(specJson);
    if (command === "sign" && specJson && flags[0]) return cosignSign(specJson, credentialsPath(flags[0]), flags.includes("--insecure"));
    if (command !== "build" || !specJson) {
        throw new Error(
            "usage: diskImage.js build '<BuildSpec JSON>' [--no-boot] | fetch | publish <dir> < request.json | sign <ref@digest> <dir> [--insecure]",
        );
    }
    const spec = JSON.parse(specJson) as BuildSpec;
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const boots = bootable(spec.family, spec.arch) && !flags.includes("--no-boot");
    const result = await buildArtifact(spec, slipwayCache(), progress, boots ? 4 : 3);
    let boot: { line: string; seconds: number } | undefined;
    if (boots) {
        progress(`${spec.platform} ${spec.family}/${spec.arch}: boot test under QEMU [4/4]…`);
        boot = await bootTest({ platform: spec.platform, arch: spec.arch, family: spec.family, kernel: spec.kernel, dir: result.dir });
        progress(`${spec.platform} ${spec.family}/${spec.arch}: booted in ${boot.seconds.toFixed(1)} s: ${boot.line}`);
    }
    process.stdout.write(JSON.stringify({ dir: result.dir, built: result.built, manifest: result.manifest, boot }) + "\n");
}

async function publishFromStdin(credentialsDir: string) {
    const input = JSON.parse(readFileSync(0, "utf8")) as {
        registry: string;
        insecure?: boolean;
        request: Omit<PublishRequest, "publishedAt"> & { publishedAt?: string };
    };
    // The publication time orders publications for retention: now, unless the caller fixed it.
    const request: PublishRequest = { ...input.request, publishedAt: input.request.publishedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z") };
    const client = clientFor(input.registry, { insecure: input.insecure ?? false, credentialsDir });
    try {
        await waitUntilServing(client);
        const publication = await publish(client, request, (line) => process.stderr.write(`    pushed ${line}\n`));
        process.stdout.write(JSON.stringify(publication) + "\n");
    } finally {
        client.close();
    }
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
