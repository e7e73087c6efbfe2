// Retention against a registry: scan a repository into publications (one read per manifest,
// tags listed once, no per-tag re-listing), and apply a plan. Deletions that already happened
// are not errors, so a run stopped half-way converges when run again.
import type { FetchedManifest, RegistryClient } from "../oci/client";
import { RegistryError } from "../oci/errors";
import { isIndex, type Descriptor } from "../oci/mediaTypes";
import { digestTag } from "../oci/reference";
import type { Blob, Publication, RetentionPlan } from "./plan";

/** Tags that point at signatures and referrer indexes, not at publications. */
const isSignatureTag = (tag: string) => /^sha256-[a-f0-9]{64}(\.\w+)?$/.test(tag);

async function optionalManifest(client: RegistryClient, repository: string, reference: string): Promise<FetchedManifest | undefined> {
    try {
        return await client.getManifest(repository, reference);
    } catch (error) {
        if (error instanceof RegistryError && error.notFound) return undefined;
        throw error;
    }
}

const blobsOf = (m: FetchedManifest): Blob[] => [m.manifest.config, ...(m.manifest.layers ?? [])].filter((d): d is Descriptor => !!d).map((d) => ({ digest: d.digest, size: d.size }));

/**
 * What refers to `digest`, as manifest digests: the fallback index first (so it goes before the
 * manifests it lists), the referrers it or the API lists, and the legacy .sig manifest.
 */
async function referrersOf(client: RegistryClient, repository: string, digest: string): Promise<{ digests: string[]; manifests: FetchedManifest[] }> {
    const { descriptors, fallbackIndex } = await client.referrers(repository, digest);
    const found = await Promise.all(descriptors.map((d) => client.getManifest(repository, d.digest)));
    const sig = await optionalManifest(client, repository, digestTag(digest, ".sig"));
    const manifests = sig ? [...found, sig] : found;
    return { digests: [...(fallbackIndex ? [fallbackIndex] : []), ...manifests.map((m) => m.digest)], manifests };
}

export async function scanRepository(client: RegistryClient, repository: string): Promise<Publication[]> {
    const tags = (await client.listTags(repository)).filter((t) => !isSignatureTag(t));
    const tops = new Map<string, FetchedManifest>();
    for (const m of await Promise.all(tags.map((t) => client.getManifest(repository, t)))) tops.set(m.digest, m);
    return Promise.all(
        [...tops.values()].map(async (top) => {
            const children = isIndex(top.mediaType) ? await Promise.all((top.manifest.manifests ?? []).map((d) => client.getManifest(repository, d.digest))) : [];
            const referrers = await Promise.all([top, ...children].map((m) => referrersOf(client, repository, m.digest)));
            return {
                digest: top.digest,
                annotations: top.manifest.annotations ?? {},
                children: children.map((c) => c.digest),
                referrers: referrers.flatMap((r) => r.digests),
                blobs: [top, ...children, ...referrers.flatMap((r) => r.manifests)].flatMap(blobsOf),
            };
        }),
    );
}

/**
 * Deletes the plan's manifests in its order; fallback indexes are among them, listed before
 * the manifests they name, so none ever lists a missing manifest. Returns what was deleted.
 * A 405 names the setting to enable. The top goes first, so no index ever lists a missing
 * child: a run stopped right after it leaves that publication's children and signatures
 * untagged, which no later scan sees and the registry's `garbage-collect --delete-untagged`
 * reclaims. One request per deletion, nothing re-read.
 */
export async function applyPlan(client: RegistryClient, repository: string, plan: RetentionPlan): Promise<string[]> {
    const deleted: string[] = [];
    for (const digest of plan.deletions) {
        await client.deleteManifest(repository, digest);
        deleted.push(digest);
    }
    return deleted;
}
