// Pinned image mirrors (config `registry.mirrors`): an upstream image, named by digest, copied
// into the platform registry as it is: the manifest (an index with every child), then its
// blobs, each checked against its digest on the way (a registry cannot hand over other bytes
// than the pin names), the optional tag written last, and the target read back. What the
// mirror provider runs, by reference strings, with connections read at call time.
import type { FetchedManifest, RegistryClient } from "../oci/client";
import { clientFor, waitUntilServing, type Connection } from "../oci/connect";
import { isIndex } from "../oci/mediaTypes";
import { parseReference, parseRepository } from "../oci/reference";
import { forEachLimit } from "../concurrency";

/** A mirror that did not complete: its message names source and target, `cause` the registry's error. */
export class MirrorError extends Error {
    constructor(
        /** `registry/repository[:tag]` of the target. */
        readonly target: string,
        message: string,
        options?: ErrorOptions,
    ) {
        super(message, options);
        this.name = "MirrorError";
    }
}

export interface Mirrored {
    /** The pinned digest, now in the target repository. */
    digest: string;
    /** Manifests written to the target (children first, then the pinned one). */
    manifests: string[];
    /** Blobs the target did not have and that were uploaded. */
    blobs: number;
}

/** Blobs copied at once: an upstream over the internet is latency-bound, one blob at a time would crawl. */
const PARALLEL_BLOBS = 4;

/** Copies `digest` (and, for an index, every child) from `source` to `target`; tags it last when `tag` is given. */
export async function mirrorImage(
    source: RegistryClient,
    from: { repository: string; digest: string },
    target: RegistryClient,
    to: { repository: string; tag?: string },
): Promise<Mirrored> {
    // getManifest checks the bytes hash to the pinned digest: an upstream cannot substitute.
    const top = await source.getManifest(from.repository, from.digest);
    const children = isIndex(top.mediaType) ? await Promise.all((top.manifest.manifests ?? []).map((d) => source.getManifest(from.repository, d.digest))) : [];
    let blobs = 0;
    const manifests: string[] = [];
    for (const manifest of [...children, top]) {
        const needed = [manifest.manifest.config, ...(manifest.manifest.layers ?? [])].flatMap((d) => (d ? [d.digest] : []));
        await forEachLimit(needed, PARALLEL_BLOBS, async (digest) => {
            // copyBlob asks for the bytes only when the target lacks them. getBlob checks the
            // upstream's bytes against the digest; the target checks them again.
            await target.copyBlob(to.repository, digest, () => {
                blobs++;
                return source.getBlob(from.repository, digest);
            });
        });
        await putByDigest(target, to.repository, manifest);
        manifests.push(manifest.digest);
    }
    if (to.tag) await target.putManifest(to.repository, to.tag, top.bytes, top.mediaType);
    const landed = await target.resolve(to.repository, to.tag ?? top.digest);
    const where = `${target.registry}/${to.repository}:${to.tag ?? top.digest}`;
    if (landed !== top.digest) throw new MirrorError(where, `${where} resolves to ${landed} after the copy, not ${top.digest}`);
    return { digest: top.digest, manifests, blobs };
}

async function putByDigest(target: RegistryClient, repository: string, manifest: FetchedManifest): Promise<void> {
    const written = await target.putManifest(repository, manifest.digest, manifest.bytes, manifest.mediaType);
    if (written !== manifest.digest)
        throw new MirrorError(
            `${target.registry}/${repository}`,
            `${target.registry}/${repository}: the manifest was stored as ${written}, not ${manifest.digest}`,
        );
}

/** Docker Hub is named docker.io in references, and serves its API at registry-1.docker.io. */
export function apiHost(registry: string): string {
    return registry === "docker.io" ? "registry-1.docker.io" : registry;
}

/** An upstream on this machine is spoken to over plain HTTP (a test's registry); any other over TLS. */
export function isLoopback(registry: string): boolean {
    return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(registry);
}

/**
 * Mirrors `from` (registry/repository[:tag]@sha256:…) into `to` (registry/repository, in the
 * platform registry) under the upstream's tag when it names one. The upstream's credentials come
 * from the environment or the operator's docker config; the target's from `connection`.
 */
export async function mirrorReference(from: string, to: string, connection: Connection): Promise<Mirrored & { ref: string; tag?: string }> {
    const source = parseReference(from);
    if (!source.digest) throw new Error(`the mirror source "${from}" is not pinned: add @sha256:<digest> (resolve the tag once, then pin it)`);
    const target = parseRepository(to);
    const upstream = clientFor(apiHost(source.registry), isLoopback(source.registry));
    const platform = clientFor(target.registry, connection);
    try {
        // A registry (re)deployed in this same up is routed by the proxy only once it has seen it.
        await waitUntilServing(platform);
        const result = await mirrorImage(upstream, { repository: source.repository, digest: source.digest }, platform, {
            repository: target.repository,
            ...(source.tag ? { tag: source.tag } : {}),
        });
        return { ...result, ref: `${target.registry}/${target.repository}@${result.digest}`, ...(source.tag ? { tag: source.tag } : {}) };
    } catch (error) {
        throw new MirrorError(`${to}${source.tag ? `:${source.tag}` : ""}`, `mirroring ${from} to ${to}: ${(error as Error).message}`, { cause: error });
    } finally {
        upstream.close();
        platform.close();
    }
}

/** Whether the target repository still holds `digest` (refresh: "" when it is gone). */
export async function mirroredDigest(to: string, digest: string, connection: Connection): Promise<string> {
    const target = parseRepository(to);
    const client = clientFor(target.registry, connection);
    try {
        return (await client.resolve(target.repository, digest)) === digest ? digest : "";
    } catch (error) {
        if ((error as { notFound?: boolean }).notFound) return "";
        throw error;
    } finally {
        client.close();
    }
}
