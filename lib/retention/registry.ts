// Retention against a registry: scan a repository into publications (one read per manifest,
// tags listed once, no per-tag re-listing), and apply a plan. Deletions that already happened
// are not errors, so a run stopped half-way converges when run again.
import type { FetchedManifest, RegistryClient } from "../oci/client";
import { isIndex, type Descriptor } from "../oci/mediaTypes";
import { digestTag } from "../oci/reference";
import type { Blob, Publication, RetentionPlan } from "./plan";

/** Tags that point at signatures and referrer indexes, not at publications. */
const isSignatureTag = (tag: string) => /^sha256-[a-f0-9]{64}(\.\w+)?$/.test(tag);

const blobsOf = (m: FetchedManifest): Blob[] => [m.manifest.config, ...(m.manifest.layers ?? [])].filter((d): d is Descriptor => !!d).map((d) => ({ digest: d.digest, size: d.size }));

/**
 * What refers to `digest`, as manifest digests: the fallback index first (so it goes before the
 * manifests it lists), the referrers it or the API lists, and the legacy .sig manifest. Tags
 * come from the one listing, so a manifest without signatures costs no request here.
 */
async function referrersOf(client: RegistryClient, repository: string, digest: string, tags: ReadonlySet<string>): Promise<{ digests: string[]; manifests: FetchedManifest[] }> {
    const { descriptors, fallbackIndex } = await client.referrers(repository, digest, undefined, tags);
    const sigTag = digestTag(digest, ".sig");
    const manifests = await Promise.all([...descriptors.map((d) => d.digest), ...(tags.has(sigTag) ? [sigTag] : [])].map((ref) => client.getManifest(repository, ref)));
    return { digests: [...(fallbackIndex ? [fallbackIndex] : []), ...manifests.map((m) => m.digest)], manifests };
}

export async function scanRepository(client: RegistryClient, repository: string): Promise<Publication[]> {
    const allTags = await client.listTags(repository);
    const known = new Set(allTags);
    const tags = allTags.filter((t) => !isSignatureTag(t));
    const tops = new Map<string, FetchedManifest>();
    for (const m of await Promise.all(tags.map((t) => client.getManifest(repository, t)))) tops.set(m.digest, m);
    return Promise.all(
        [...tops.values()].map(async (top) => {
            const children = isIndex(top.mediaType) ? await Promise.all((top.manifest.manifests ?? []).map((d) => client.getManifest(repository, d.digest))) : [];
            const referrers = await Promise.all([top, ...children].map((m) => referrersOf(client, repository, m.digest, known)));
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
 * Deletes the plan's manifests in its order (see RetentionPlan.deletions for why that order
 * converges after a crash). Returns what was deleted. A 405 names the setting to enable.
 * One request per deletion, nothing re-read.
 */
export async function applyPlan(client: RegistryClient, repository: string, plan: RetentionPlan): Promise<string[]> {
    const deleted: string[] = [];
    for (const digest of plan.deletions) {
        await client.deleteManifest(repository, digest);
        deleted.push(digest);
    }
    return deleted;
}
