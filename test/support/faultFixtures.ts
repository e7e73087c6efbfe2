// What the fault matrix works on and compares: a signed repository cloned into a fresh one (so
// each run of a destructive operation starts from the same content without signing it again),
// synthetic disk-image builds, and a repository's end state as plain data.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, type RegistryClient } from "../../lib/oci/client";
import type { BuildManifest } from "../../lib/diskimage/manifest";
import type { PublishChild } from "../../lib/diskimage/publish";
import type { Arch } from "../../lib/diskimage/targets";
import { scanRepository } from "../../lib/retention/registry";
import { scratchDir } from "./tmp";

/**
 * Copies every publication of `from` (tops, children, signatures and their fallback indexes,
 * every tag) into `to`, blobs mounted: each manifest after what it lists. Returns every
 * manifest digest copied.
 */
export async function cloneRepository(client: RegistryClient, from: string, to: string): Promise<string[]> {
    const { publications } = await scanRepository(client, from);
    const copied = new Set<string>();
    const copy = async (digest: string, tag = digest) => {
        const m = await client.getManifest(from, digest);
        const blobs = [m.manifest.config, ...(m.manifest.layers ?? [])].flatMap((d) => (d ? [d.digest] : []));
        await Promise.all(blobs.map((b) => client.copyBlob(to, b, () => client.getBlob(from, b), { from })));
        await client.putManifest(to, tag, m.bytes, m.mediaType);
        copied.add(digest);
    };
    for (const p of publications) {
        for (const d of p.children) await copy(d);
        await copy(p.digest);
        // A fallback index comes before what it lists in `referrers`: copy in reverse.
        for (const d of [...p.referrers].reverse()) await copy(d);
        for (const [tag, digest] of p.tags) await copy(digest, tag);
    }
    return [...copied].sort();
}

export interface EndState {
    /** Every tag and the digest it names, sorted. */
    tags: Array<[string, string]>;
    /** Which of the digests asked about the registry still serves, by digest, with every blob they name. */
    present: string[];
}

/** A repository's end state, against the digests that matter to the caller (`universe`). */
export async function endState(client: RegistryClient, repository: string, universe: readonly string[]): Promise<EndState> {
    const tags = await client.listTags(repository).catch((error: unknown) => {
        if ((error as { notFound?: boolean }).notFound) return [];
        throw error;
    });
    const named = await Promise.all(tags.map(async (t): Promise<[string, string]> => [t, await client.resolve(repository, t)]));
    const present: string[] = [];
    for (const digest of [...new Set(universe)].sort()) {
        const m = await client.getManifest(repository, digest).catch((error: unknown) => {
            if ((error as { notFound?: boolean }).notFound) return undefined;
            throw error;
        });
        if (!m) continue;
        const blobs = [m.manifest.config, ...(m.manifest.layers ?? [])].flatMap((d) => (d ? [d.digest] : []));
        const missing = (await Promise.all(blobs.map(async (b) => ((await client.blobExists(repository, b)) ? [] : [b])))).flat();
        if (missing.length > 0) throw new Error(`${repository}@${digest} is served, but its blobs ${missing.join(", ")} are not`);
        present.push(digest);
    }
    return { tags: named.sort(([a], [b]) => a.localeCompare(b)), present };
}

/** A built `iso` family for one arch, as the builder leaves it: the file and its build manifest. */
export function syntheticBuild(arch: Arch, revision: string, bytes = 48 * 1024): PublishChild {
    const dir = scratchDir(`slipway-build-${arch}-`);
    mkdirSync(dir, { recursive: true });
    const payload = Buffer.alloc(bytes, `${arch} disk image payload `);
    writeFileSync(join(dir, "disk.iso"), payload);
    const manifest: BuildManifest = {
        schemaVersion: 1,
        platform: "edge-node",
        arch,
        family: "iso",
        kernel: `6.1.0-test-${arch}`,
        buildDigest: sha256(`build ${arch}`),
        gitSha: revision,
        sourceDateEpoch: 1_700_000_000,
        builtAt: "2023-11-14T22:13:20.000Z",
        inputs: [],
        tools: {},
        artifacts: [{ name: "disk.iso", mediaType: "application/vnd.slipway.disk.iso9660", size: payload.length, sha256: sha256(payload).slice(7) }],
    };
    writeFileSync(join(dir, "build-manifest.json"), JSON.stringify(manifest));
    return { arch, dir, manifest };
}
