// Build-once promotion: staging → prod without rebuilding. The source is resolved once to a
// digest; its image config must carry org.opencontainers.image.revision equal to the
// validated commit (both non-empty); then the manifest (an index and every child), its
// blobs and its signatures are copied to the target, the target tag is written LAST, and
// the target is re-resolved to confirm the same digest. On any failure the tag is untouched.
import type { FetchedManifest, RegistryClient } from "../oci/client";
import { RegistryError } from "../oci/errors";
import { isIndex, type Descriptor } from "../oci/mediaTypes";
import { parseJson } from "../oci/parse";
import { digestTag } from "../oci/reference";

export const REVISION_LABEL = "org.opencontainers.image.revision";

export type PromotionFailure = "empty-expected-revision" | "label-missing" | "revision-mismatch" | "source-unresolvable" | "copy-failed" | "digest-changed";

export class PromotionError extends Error {
    constructor(
        readonly failure: PromotionFailure,
        message: string,
    ) {
        super(message);
        this.name = "PromotionError";
    }
}

export interface PromotionSide {
    repository: string;
    tag: string;
}

export interface Promotion {
    digest: string;
    revision: string;
    /** Manifests written to the target repository (children, signatures, the promoted one). */
    copied: string[];
}

const short = (s: string) => (s.length > 12 ? `${s.slice(0, 12)}…` : s);
/** A digest as people compare them: the algorithm and 12 hex digits. */
const shortDigest = (d: string) => (d.length > 19 ? `${d.slice(0, 19)}…` : d);

/** Indexes inside indexes are followed this deep, no deeper: a deeper tree is refused, never half-checked. */
export const MAX_INDEX_DEPTH = 4;
/** buildx's attestation manifests: annotated so, for the image digest they describe. */
const REFERENCE_TYPE = "vnd.docker.reference.type";
const REFERENCE_DIGEST = "vnd.docker.reference.digest";

/** The manifests under (and including) the promoted one, children before their index, and the images among them. */
interface ManifestTree {
    /** Every manifest, each child before the index listing it: the order they are copied in. */
    manifests: FetchedManifest[];
    /** The images whose label is checked, each with where it sits (`index@… > linux/amd64 …`). */
    images: Array<{ image: FetchedManifest; path: string }>;
}

/** Promotes source → target within one registry (the same repository or another). */
export async function promote(client: RegistryClient, source: PromotionSide, target: PromotionSide, expectedRevision: string): Promise<Promotion> {
    if (!expectedRevision.trim())
        throw new PromotionError("empty-expected-revision", "the expected revision is empty: promotion needs the validated commit SHA");
    let top: FetchedManifest;
    try {
        top = await client.getManifest(source.repository, source.tag);
    } catch (error) {
        throw new PromotionError(
            "source-unresolvable",
            `${client.registry}/${source.repository}:${source.tag} cannot be resolved: ${(error as Error).message}`,
        );
    }
    const tree = await readTree(client, source.repository, top);
    await checkRevisions(client, source.repository, tree, expectedRevision);

    const copied: string[] = [];
    try {
        // Within one repository the manifests, blobs and signatures are already there: only the
        // tag moves. Across repositories, everything the tag will name is copied first, each
        // index after its children (siblings in parallel), so no index ever names a missing manifest.
        if (source.repository !== target.repository) {
            for (const level of levelsOf(tree.manifests, top)) {
                for (const written of await Promise.all(level.map((m) => copyWithSignatures(client, source.repository, target.repository, m))))
                    copied.push(...written);
            }
        }
        // The tag last: until here nothing the target tag names has changed.
        await client.putManifest(target.repository, target.tag, top.bytes, top.mediaType);
    } catch (error) {
        throw new PromotionError("copy-failed", `copying ${shortDigest(top.digest)} to ${target.repository}:${target.tag} failed: ${(error as Error).message}`);
    }
    // Confirmed only by reading the tag back: a read that fails leaves the promotion unconfirmed, an error.
    const where = `${client.registry}/${target.repository}:${target.tag}`;
    let landed: string;
    try {
        landed = await client.resolve(target.repository, target.tag);
    } catch (error) {
        throw new PromotionError(
            "copy-failed",
            `${where} was written but cannot be read back to confirm ${shortDigest(top.digest)}: ${(error as Error).message}`,
        );
    }
    if (landed !== top.digest) throw new PromotionError("digest-changed", `${where} resolves to ${landed}, not the promoted ${top.digest}`);
    return { digest: top.digest, revision: expectedRevision, copied };
}

/**
 * Reads the promoted manifest's tree: an index's children (fetched by digest, so each is what
 * the index names), recursively to MAX_INDEX_DEPTH. buildx's attestation manifests are not
 * images: they are copied, not label-checked, but only when they are exactly that (annotated
 * as an attestation of an image in the same index, platform unknown/unknown, which no runtime
 * ever pulls), so an image cannot pass itself off as one to dodge the check. A manifest listed
 * many times (in one index or several) is fetched once and walked once per depth, so an index
 * listing one child a thousand times at every level costs what its distinct manifests cost.
 */
async function readTree(client: RegistryClient, repository: string, top: FetchedManifest): Promise<ManifestTree> {
    const tree: ManifestTree = { manifests: [], images: [] };
    const fetched = new Map<string, Promise<FetchedManifest>>();
    const fetchOnce = (d: Descriptor, path: string) => {
        let once = fetched.get(d.digest);
        if (!once) fetched.set(d.digest, (once = fetchChild(client, repository, d, path)));
        return once;
    };
    const walked = new Set<string>();
    const checked = new Set<string>();
    const visit = async (m: FetchedManifest, path: string, depth: number): Promise<void> => {
        if (walked.has(`${depth} ${m.digest}`)) return;
        walked.add(`${depth} ${m.digest}`);
        if (!isIndex(m.mediaType)) {
            tree.manifests.push(m);
            if (!checked.has(m.digest)) tree.images.push({ image: m, path });
            checked.add(m.digest);
            return;
        }
        if (depth >= MAX_INDEX_DEPTH)
            throw new PromotionError("label-missing", `${path} nests indexes deeper than ${MAX_INDEX_DEPTH} levels: refused rather than checked in part`);
        const descriptors = m.manifest.manifests ?? [];
        const children = await Promise.all(descriptors.map((d) => fetchOnce(d, path)));
        const imageDigests = new Set(descriptors.filter((d) => !isAttestation(d)).map((d) => d.digest));
        for (const [i, d] of descriptors.entries()) {
            const child = children[i]!;
            const where = `${path} > ${describeChild(d)}`;
            if (isAttestation(d)) {
                const of = d.annotations?.[REFERENCE_DIGEST] ?? "";
                if (!imageDigests.has(of))
                    throw new PromotionError(
                        "label-missing",
                        `${where} is marked as an attestation of ${of ? shortDigest(of) : "nothing"}, which is not an image of this index`,
                    );
                if (isIndex(child.mediaType)) throw new PromotionError("label-missing", `${where} is marked as an attestation but is an index`);
                tree.manifests.push(child);
            } else {
                await visit(child, where, depth + 1);
            }
        }
        if (imageDigests.size === 0)
            throw new PromotionError("label-missing", `${path} holds no image (only attestations, or nothing): there is nothing to promote`);
        tree.manifests.push(m);
    };
    await visit(top, `${shortDigest(top.digest)}${isIndex(top.mediaType) ? " (index)" : ""}`, 0);
    return tree;
}

/**
 * buildx's attestation manifest, exactly: platform unknown/unknown. A descriptor without a
 * platform is not one, whatever its annotations say: containerd matches a platform-less
 * descriptor to every platform, so it could be what a node pulls.
 */
function isAttestation(d: Descriptor): boolean {
    return d.annotations?.[REFERENCE_TYPE] === "attestation-manifest" && d.platform?.os === "unknown" && d.platform.architecture === "unknown";
}

function describeChild(d: Descriptor): string {
    const platform = d.platform ? `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ""} ` : "";
    return `${platform}${shortDigest(d.digest)}`;
}

async function fetchChild(client: RegistryClient, repository: string, d: Descriptor, path: string): Promise<FetchedManifest> {
    try {
        return await client.getManifest(repository, d.digest);
    } catch (error) {
        throw new PromotionError("source-unresolvable", `${path} > ${describeChild(d)} cannot be read: ${(error as Error).message}`);
    }
}

/** Every image must carry the expected revision; all failing ones are reported together. */
async function checkRevisions(client: RegistryClient, repository: string, tree: ManifestTree, expected: string): Promise<void> {
    const outcomes = await Promise.all(
        tree.images.map(async ({ image, path }) => ({ path, problem: await revisionProblem(client, repository, image, expected) })),
    );
    const failed = outcomes.filter((o) => o.problem);
    if (failed.length === 0) return;
    const failure: PromotionFailure = failed.some((f) => f.problem!.failure === "revision-mismatch") ? "revision-mismatch" : "label-missing";
    const lines = failed.map((f) => `${f.path}: ${f.problem!.reason}`);
    throw new PromotionError(
        failure,
        lines.length === 1 ? lines[0]! : `${failed.length} of ${tree.images.length} images fail the revision check:\n  - ${lines.join("\n  - ")}`,
    );
}

async function revisionProblem(
    client: RegistryClient,
    repository: string,
    image: FetchedManifest,
    expected: string,
): Promise<{ failure: PromotionFailure; reason: string } | undefined> {
    const config = image.manifest.config;
    if (!config) return { failure: "label-missing", reason: `has no image config, so no ${REVISION_LABEL} label` };
    let label: unknown;
    try {
        const parsed = parseJson(await client.getBlob(repository, config.digest), "image config") as {
            config?: { Labels?: Record<string, unknown> | null };
        } | null;
        label = parsed?.config?.Labels?.[REVISION_LABEL];
    } catch (error) {
        return { failure: "label-missing", reason: `its image config cannot be read: ${(error as Error).message}` };
    }
    if (label === undefined || label === null || label === "")
        return { failure: "label-missing", reason: `carries no ${REVISION_LABEL} label: build it with --label ${REVISION_LABEL}=<commit>` };
    if (typeof label !== "string") return { failure: "label-missing", reason: `its ${REVISION_LABEL} label is not a string` };
    if (label !== expected) return { failure: "revision-mismatch", reason: `was built from ${short(label)}, but ${short(expected)} was validated` };
    return undefined;
}

/** The tree's manifests in copy order, grouped so each group depends only on earlier ones. */
function levelsOf(manifests: FetchedManifest[], top: FetchedManifest): FetchedManifest[][] {
    // Depth from the top: the deepest first. A manifest listed twice is copied once, at its deepest place.
    const depth = new Map<string, number>();
    const byDigest = new Map(manifests.map((m) => [m.digest, m]));
    const walk = (m: FetchedManifest, d: number): void => {
        if ((depth.get(m.digest) ?? -1) >= d) return;
        depth.set(m.digest, d);
        for (const c of m.manifest.manifests ?? []) {
            const child = byDigest.get(c.digest);
            if (child) walk(child, d + 1);
        }
    };
    walk(top, 0);
    const levels: FetchedManifest[][] = [];
    for (const [digest, d] of depth) (levels[d] ??= []).push(byDigest.get(digest)!);
    return levels.reverse().filter(Boolean);
}

/** Copies one manifest (its blobs first) and its signatures to another repository; returns what it wrote. */
async function copyWithSignatures(client: RegistryClient, from: string, to: string, m: FetchedManifest): Promise<string[]> {
    const [self, { descriptors }] = await Promise.all([copyManifest(client, from, to, m), client.referrers(from, m.digest)]);
    const written = [self, ...(await Promise.all(descriptors.map(async (d) => copyManifest(client, from, to, await client.getManifest(from, d.digest)))))];
    // The legacy .sig tag and, on a registry without the referrers API, the fallback index.
    for (const tag of [digestTag(m.digest, ".sig"), digestTag(m.digest)]) {
        const found = await client.getManifest(from, tag).catch((error: unknown) => {
            if (error instanceof RegistryError && error.notFound) return undefined;
            throw error;
        });
        if (found) written.push(await copyManifest(client, from, to, found, tag));
    }
    return written;
}

/** Puts `m` into `to` under `tag` (default: its digest), after the blobs it names. */
async function copyManifest(client: RegistryClient, from: string, to: string, m: FetchedManifest, tag = m.digest): Promise<string> {
    const blobs = [m.manifest.config, ...(m.manifest.layers ?? [])].filter((d): d is Descriptor => !!d);
    await Promise.all(blobs.map((b) => client.copyBlob(to, b.digest, () => client.getBlob(from, b.digest), { from })));
    return client.putManifest(to, tag, m.bytes, m.mediaType);
}
