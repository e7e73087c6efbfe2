// An in-memory registry with the RegistryClient methods promotion and verification call, so
// generated index trees run through the real promote() and verifyImage() thousands of times a
// second. It behaves as the real client does where it matters: digests are computed from the
// bytes, manifests go through parseManifest, a missing one is a 404 RegistryError. It counts
// requests: code that would do unbounded work against a real registry runs out of budget here.
import { sha256, type FetchedManifest, type RegistryClient } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";
import type { Descriptor } from "../../lib/oci/mediaTypes";
import { MalformedContentError, parseManifest } from "../../lib/oci/parse";
import { isDigest } from "../../lib/oci/reference";

/** Requests one case may make: far above any legitimate tree the generators build. */
export const REQUEST_BUDGET = 20_000;

export class FakeRegistry {
    readonly registry = "fuzz.registry.invalid";
    requests = 0;
    /** Set once the budget ran out: every later call fails fast, and the case counts as a hang. */
    exhausted = false;
    private readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
    private readonly tags = new Map<string, string>();
    private readonly blobs = new Map<string, Buffer>();

    /** The client as the code under test sees it. */
    get client(): RegistryClient {
        return this as unknown as RegistryClient;
    }

    addBlob(bytes: Buffer): string {
        const digest = sha256(bytes);
        this.blobs.set(digest, bytes);
        return digest;
    }

    addManifest(repository: string, bytes: Buffer, mediaType: string, tag?: string): string {
        const digest = sha256(bytes);
        this.manifests.set(`${repository}@${digest}`, { bytes, mediaType });
        if (tag) this.tags.set(`${repository}:${tag}`, digest);
        return digest;
    }

    private spend(repository: string, reference: string): void {
        if (++this.requests > REQUEST_BUDGET) this.exhausted = true;
        if (this.exhausted)
            throw new RegistryError(this.registry, repository, reference, 0, `the fuzz registry's budget of ${REQUEST_BUDGET} requests ran out`);
    }

    getManifest(repository: string, reference: string): Promise<FetchedManifest> {
        this.spend(repository, reference);
        const digest = isDigest(reference) ? reference : this.tags.get(`${repository}:${reference}`);
        const stored = digest && this.manifests.get(`${repository}@${digest}`);
        if (!stored) return Promise.reject(new RegistryError(this.registry, repository, reference, 404, "manifest unknown", "MANIFEST_UNKNOWN"));
        try {
            const manifest = parseManifest(stored.bytes);
            return Promise.resolve({ digest: digest, mediaType: manifest.mediaType ?? stored.mediaType, bytes: stored.bytes, manifest });
        } catch (error) {
            if (error instanceof MalformedContentError)
                return Promise.reject(new RegistryError(this.registry, repository, reference, 200, error.message, "MALFORMED"));
            throw error;
        }
    }

    getBlob(repository: string, digest: string): Promise<Buffer> {
        this.spend(repository, digest);
        const bytes = this.blobs.get(digest);
        if (!bytes) return Promise.reject(new RegistryError(this.registry, repository, digest, 404, "blob unknown", "BLOB_UNKNOWN"));
        return Promise.resolve(bytes);
    }

    referrers(repository: string, digest: string): Promise<{ source: "fallback-tag"; descriptors: Descriptor[] }> {
        this.spend(repository, digest);
        return Promise.resolve({ source: "fallback-tag", descriptors: [] });
    }

    putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
        this.spend(repository, reference);
        return Promise.resolve(this.addManifest(repository, bytes, mediaType, isDigest(reference) ? undefined : reference));
    }

    async resolve(repository: string, reference: string): Promise<string> {
        return (await this.getManifest(repository, reference)).digest;
    }

    async copyBlob(repository: string, digest: string, bytesOf: () => Promise<Buffer>): Promise<string> {
        this.spend(repository, digest);
        if (!this.blobs.has(digest)) this.blobs.set(digest, await bytesOf());
        return digest;
    }
}
