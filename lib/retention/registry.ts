// Retention against a registry: scan a repository into publications (one read per manifest,
// tags listed once, no per-tag re-listing), and apply a plan: journal, untag, delete. Deletions
// that already happened are not errors, so a run stopped half-way converges when run again.
import { sha256, type FetchedManifest, type RegistryClient } from "../oci/client";
import { isIndex, type Descriptor } from "../oci/mediaTypes";
import { digestTag } from "../oci/reference";
import { forEachLimit } from "../concurrency";
import { isJournalTag, readJournals, writeJournal, type Journal } from "./journal";
import { planRetention, type Blob, type Publication, type RetentionOptions, type RetentionPlan } from "./plan";

export interface RepositoryScan {
    publications: Publication[];
    /** Journals of runs that did not finish: their deletions are planned again. */
    journals: Journal[];
}

/** Tags that point at signatures and referrer indexes, not at publications. */
const isSignatureTag = (tag: string) => /^sha256-[a-f0-9]{64}(\.\w+)?$/.test(tag);

const blobsOf = (m: FetchedManifest): Blob[] =>
    [m.manifest.config, ...(m.manifest.layers ?? [])].filter((d): d is Descriptor => !!d).map((d) => ({ digest: d.digest, size: d.size }));

/**
 * What refers to `digest`, as manifest digests: the fallback index first (so it goes before the
 * manifests it lists), the referrers it or the API lists, and the legacy .sig manifest. Tags
 * come from the one listing, so a manifest without signatures costs no request here.
 */
async function referrersOf(
    client: RegistryClient,
    repository: string,
    digest: string,
    tags: ReadonlySet<string>,
): Promise<{ digests: string[]; manifests: FetchedManifest[]; tags: Array<[string, string]> }> {
    const { descriptors, fallbackIndex } = await client.referrers(repository, digest, undefined, tags);
    const sigTag = digestTag(digest, ".sig");
    const listed = await Promise.all(descriptors.map((d) => client.getManifest(repository, d.digest)));
    const sig = tags.has(sigTag) ? await client.getManifest(repository, sigTag) : undefined;
    const manifests = sig ? [...listed, sig] : listed;
    return {
        digests: [...(fallbackIndex ? [fallbackIndex] : []), ...manifests.map((m) => m.digest)],
        manifests,
        tags: [...(fallbackIndex ? [[digestTag(digest), fallbackIndex] as [string, string]] : []), ...(sig ? [[sigTag, sig.digest] as [string, string]] : [])],
    };
}

/** Manifest reads in flight at once: parallel enough for loopback, bounded so 10,000 tags do not mean 10,000 buffers. */
const PARALLEL_READS = 32;

/** What a scan keeps of a tagged manifest: not its bytes. */
interface Top {
    digest: string;
    annotations: Record<string, string>;
    children: string[];
    blobs: Blob[];
    tags: string[];
}

export async function scanRepository(client: RegistryClient, repository: string): Promise<RepositoryScan> {
    const allTags = await client.listTags(repository);
    const known = new Set(allTags);
    const tags = allTags.filter((t) => !isSignatureTag(t) && !isJournalTag(t));
    const journals = await readJournals(client, repository, allTags);

    const tops = new Map<string, Top>();
    await forEachLimit(tags, PARALLEL_READS, async (tag) => {
        const m = await client.getManifest(repository, tag);
        const top = tops.get(m.digest) ?? {
            digest: m.digest,
            annotations: m.manifest.annotations ?? {},
            children: isIndex(m.mediaType) ? (m.manifest.manifests ?? []).map((d) => d.digest) : [],
            blobs: blobsOf(m),
            tags: [],
        };
        top.tags.push(tag);
        tops.set(m.digest, top);
    });

    const publications: Publication[] = [];
    await forEachLimit([...tops.values()], PARALLEL_READS, async (top) => {
        const children = await Promise.all(top.children.map((d) => client.getManifest(repository, d)));
        const referrers = await Promise.all([top.digest, ...top.children].map((d) => referrersOf(client, repository, d, known)));
        publications.push({
            digest: top.digest,
            annotations: top.annotations,
            children: top.children,
            referrers: referrers.flatMap((r) => r.digests),
            blobs: [...top.blobs, ...children.flatMap(blobsOf), ...referrers.flatMap((r) => r.manifests.flatMap(blobsOf))],
            tags: [...referrers.flatMap((r) => r.tags), ...top.tags.map((t): [string, string] => [t, top.digest])],
        });
    });
    // Parallel reads finish in any order; a plan (and the preview diff) must not.
    publications.sort((a, b) => a.digest.localeCompare(b.digest));
    return { publications, journals };
}

/** A manifest no registry holds: deleting it answers 404, or 405 where deletes are off. */
const DELETE_PROBE = sha256("slipway: can this registry delete?");

/** The plan for a scanned repository, finishing what unfinished runs' journals list. */
export const planScan = (scan: RepositoryScan, options: RetentionOptions): RetentionPlan =>
    planRetention(
        scan.publications,
        options,
        scan.journals.flatMap((j) => j.deletions),
    );

/** Units worked on at once; one unit's steps stay in order. */
const PARALLEL_UNITS = 8;

/**
 * Carries out a plan: records it in a journal, removes every unit's tags (see PlannedUnit for
 * the order), then deletes every unit's manifests by digest, then removes this and every
 * earlier journal it finished. Units run in parallel, each in its own order. On a registry
 * that cannot untag, the deletions drop the tags themselves. Returns the digests deleted.
 * Every step is idempotent, so a run killed anywhere converges when run again.
 */
export async function applyPlan(client: RegistryClient, repository: string, plan: RetentionPlan, finished: readonly Journal[] = []): Promise<string[]> {
    if (plan.units.length === 0 && finished.length === 0) return [];
    // A registry that refuses deletes says so to this probe, before anything is written.
    await client.deleteManifest(repository, DELETE_PROBE);
    const journal = plan.units.length > 0 ? await writeJournal(client, repository, plan.deletions) : undefined;
    let canUntag = true;
    await forEachLimit(plan.units, PARALLEL_UNITS, async (unit) => {
        for (const [tag] of unit.untag) if (canUntag) canUntag = await client.untag(repository, tag);
    });
    const deleted: string[] = [];
    await forEachLimit(plan.units, PARALLEL_UNITS, async (unit) => {
        for (const digest of unit.deletions) {
            await client.deleteManifest(repository, digest);
            deleted.push(digest);
        }
    });
    for (const j of [...finished, ...(journal ? [journal] : [])]) await client.deleteManifest(repository, j.digest);
    return deleted;
}

/** Scan, plan and apply in one go, finishing any interrupted run (tests, benchmarks, scripts). */
export async function prune(
    client: RegistryClient,
    repository: string,
    options: RetentionOptions,
): Promise<{ scan: RepositoryScan; plan: RetentionPlan; deleted: string[] }> {
    const scan = await scanRepository(client, repository);
    const plan = planScan(scan, options);
    return { scan, plan, deleted: await applyPlan(client, repository, plan, scan.journals) };
}
