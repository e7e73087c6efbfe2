// Build-once promotion: staging → prod without rebuilding. The source is resolved once to a
// digest; its image config must carry org.opencontainers.image.revision equal to the
// validated commit (both non-empty); then the manifest (an index and every child), its
// blobs and its signatures are copied to the target, the target tag is written LAST, and
// the target is re-resolved to confirm the same digest. On any failure the tag is untouched.
import type { FetchedManifest, RegistryClient } from "../oci/client";
import { RegistryError } from "../oci/errors";
import { isIndex, type Descriptor } from "../oci/mediaTypes";
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

/** Promotes source → target within one registry (the same repository or another). */
export async function promote(client: RegistryClient, source: PromotionSide, target: PromotionSide, expectedRevision: string): Promise<Promotion> {
    if (!expectedRevision.trim()) throw new PromotionError("empty-expected-revision", "the expected revision is empty: promotion needs the validated commit SHA");
    let top: FetchedManifest;
    try {
        top = await client.getManifest(source.repository, source.tag);
    } catch (error) {
        throw new PromotionError("source-unresolvable", `${client.registry}/${source.repository}:${source.tag} cannot be resolved: ${(error as Error).message}`);
    }
    const images = isIndex(top.mediaType) ? await Promise.all((top.manifest.manifests ?? []).map((d) => client.getManifest(source.repository, d.digest))) : [top];
    for (const image of images) await checkRevision(client, source.repository, image, expectedRevision);

    const copied: string[] = [];
    try {
        // Within one repository the manifests, blobs and signatures are already there: only the
        // tag moves. Across repositories, everything the tag will name is copied first.
        if (source.repository !== target.repository) {
            // Children (independent of each other) first, the index after them.
            const children = isIndex(top.mediaType) ? images : [];
            for (const written of await Promise.all(children.map((m) => copyWithSignatures(client, source.repository, target.repository, m)))) copied.push(...written);
            copied.push(...(await copyWithSignatures(client, source.repository, target.repository, top)));
        }
        // The tag last: until here nothing the target tag names has changed.
        await client.putManifest(target.repository, target.tag, top.bytes, top.mediaType);
    } catch (error) {
        throw new PromotionError("copy-failed", `copying ${short(top.digest)} to ${target.repository}:${target.tag} failed: ${(error as Error).message}`);
    }
    const landed = await client.resolve(target.repository, target.tag);
    if (landed !== top.digest) throw new PromotionError("digest-changed", `${target.repository}:${target.tag} resolves to ${landed}, not the promoted ${top.digest}`);
    return { digest: top.digest, revision: expectedRevision, copied };
}

async function checkRevision(client: RegistryClient, repository: string, image: FetchedManifest, expected: string): Promise<void> {
    const config = image.manifest.config;
    if (!config) throw new PromotionError("label-missing", `${short(image.digest)} has no image config, so no ${REVISION_LABEL} label`);
    const parsed = JSON.parse((await client.getBlob(repository, config.digest)).toString("utf8")) as { config?: { Labels?: Record<string, string> | null } };
    const label = parsed.config?.Labels?.[REVISION_LABEL] ?? "";
    if (!label) throw new PromotionError("label-missing", `${short(image.digest)} carries no ${REVISION_LABEL} label: build it with --label ${REVISION_LABEL}=<commit>`);
    if (label !== expected) throw new PromotionError("revision-mismatch", `${short(image.digest)} was built from ${short(label)}, but ${short(expected)} was validated`);
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
