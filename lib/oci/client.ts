// A small typed client over the OCI distribution API. Every digest it returns is computed
// from the bytes it received, never taken from a header: a tag is resolved once, then only
// the digest is used. Errors are RegistryErrors naming registry, repository, reference, status.
import { createHash } from "node:crypto";
import { basicHeader, credentialsFor, parseChallenge, type Credentials } from "./auth";
import { RegistryError, registryErrorCode } from "./errors";
import { MANIFEST_TYPES, OCI_INDEX, isIndex, type Descriptor, type Manifest } from "./mediaTypes";
import { MalformedContentError, nextPage, parseManifest, parseTagList, parseToken, uploadLocation } from "./parse";
import { digestTag, isDigest } from "./reference";
import { Transport, TransportLimitError, type HttpResponse, type TransportOptions } from "./transport";

export interface ClientOptions extends TransportOptions {
    /** Host[:port] of the registry. */
    registry: string;
    /** @default "https" */
    scheme?: "http" | "https";
    /** Override the credentials lookup (environment, then docker config) — tests only. */
    credentials?: Credentials | null;
}

export interface FetchedManifest {
    digest: string;
    mediaType: string;
    bytes: Buffer;
    manifest: Manifest;
}

export type ReferrersSource = "referrers-api" | "fallback-tag";

/**
 * The most a manifest, tag list, referrers list or error answer may weigh: the OCI distribution
 * spec's 4 MiB manifest limit (registries refuse larger ones). Blobs get the transport's limit.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

interface CallOptions {
    body?: Buffer;
    /** Statuses that are answers, not errors. @default [200, 201, 202] */
    expected?: number[];
    /** @default /v2/<repository><path> */
    url?: URL;
    maxBytes?: number;
}

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export class RegistryClient {
    readonly registry: string;
    private readonly base: string;
    private readonly transport: Transport;
    private readonly credentials: Credentials | undefined;
    private readonly tokens = new Map<string, string>();
    /** Whether the registry has the referrers API, learned from the first referrers call. */
    private referrersApiProbe: Promise<boolean> | undefined;

    constructor(options: ClientOptions) {
        this.registry = options.registry;
        this.base = `${options.scheme ?? "https"}://${options.registry}`;
        this.transport = new Transport(options);
        this.credentials = options.credentials === undefined ? credentialsFor(options.registry) : (options.credentials ?? undefined);
    }

    /** Requests sent so far, retries included. */
    get requests(): number {
        return this.transport.requests;
    }

    close(): void {
        this.transport.close();
    }

    /** Fetches a manifest or index by tag or digest; the digest is the hash of the bytes received. */
    async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
        const res = await this.call(
            "GET",
            repository,
            `/manifests/${reference}`,
            reference,
            { accept: MANIFEST_TYPES.join(", ") },
            { maxBytes: MAX_MANIFEST_BYTES },
        );
        const digest = sha256(res.body);
        if (isDigest(reference) && digest !== reference) {
            throw new RegistryError(this.registry, repository, reference, res.status, `the registry returned content whose digest is ${digest}`);
        }
        const manifest = this.parsed(repository, reference, res.status, () => parseManifest(res.body));
        const mediaType = manifest.mediaType ?? String(res.headers["content-type"] ?? "").split(";")[0]!;
        return { digest, mediaType, bytes: res.body, manifest };
    }

    /** The API version check (GET /v2/, authenticated): resolves when the registry serves its API. */
    async ping(): Promise<void> {
        await this.call("GET", "", "", "/v2/", {}, { expected: [200], url: new URL("/v2/", this.base), maxBytes: MAX_MANIFEST_BYTES });
    }

    /** The digest a tag points at now (resolve once, then use the digest). */
    async resolve(repository: string, reference: string): Promise<string> {
        return (await this.getManifest(repository, reference)).digest;
    }

    /** Stores a manifest under a tag or its digest; returns its digest. */
    async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
        await this.call("PUT", repository, `/manifests/${reference}`, reference, { "content-type": mediaType }, { body: bytes, maxBytes: MAX_MANIFEST_BYTES });
        return sha256(bytes);
    }

    /** Deletes a manifest by digest (the registry also drops every tag pointing at it). */
    async deleteManifest(repository: string, digest: string): Promise<void> {
        if (!isDigest(digest)) throw new RegistryError(this.registry, repository, digest, 0, "manifests are deleted by digest, not by tag");
        const res = await this.call("DELETE", repository, `/manifests/${digest}`, digest, {}, { expected: [202, 404, 405], maxBytes: MAX_MANIFEST_BYTES });
        if (res.status === 405) {
            throw new RegistryError(
                this.registry,
                repository,
                digest,
                405,
                "the registry refuses deletes: enable storage.delete.enabled in its configuration",
                "UNSUPPORTED",
            );
        }
        // 404: already gone; a re-run after an interruption converges.
    }

    /**
     * Removes one tag, leaving the manifest (OCI distribution spec: DELETE by tag). False when
     * the registry cannot (distribution 2.x answers 400): callers then delete by digest, which
     * drops the tags too. Already gone is done.
     */
    async untag(repository: string, tag: string): Promise<boolean> {
        if (isDigest(tag)) throw new RegistryError(this.registry, repository, tag, 0, "untag takes a tag, not a digest");
        const res = await this.call("DELETE", repository, `/manifests/${tag}`, tag, {}, { expected: [202, 400, 404, 405], maxBytes: MAX_MANIFEST_BYTES });
        if (res.status === 405) {
            throw new RegistryError(
                this.registry,
                repository,
                tag,
                405,
                "the registry refuses deletes: enable storage.delete.enabled in its configuration",
                "UNSUPPORTED",
            );
        }
        return res.status !== 400;
    }

    async blobExists(repository: string, digest: string): Promise<boolean> {
        const res = await this.call("HEAD", repository, `/blobs/${digest}`, digest, {}, { expected: [200, 404] });
        return res.status === 200;
    }

    /** Fetches a blob and checks it hashes to its digest. */
    async getBlob(repository: string, digest: string): Promise<Buffer> {
        const res = await this.call("GET", repository, `/blobs/${digest}`, digest, {});
        if (sha256(res.body) !== digest) throw new RegistryError(this.registry, repository, digest, res.status, `blob content hashes to ${sha256(res.body)}`);
        return res.body;
    }

    /**
     * Uploads a blob unless the repository has it: a cross-repository mount when `from` holds it,
     * else monolithic, or chunked (PATCH) above `chunkSize`. Returns its digest.
     */
    async pushBlob(repository: string, bytes: Buffer, opts: { from?: string; chunkSize?: number } = {}): Promise<string> {
        return this.copyBlob(repository, sha256(bytes), () => Promise.resolve(bytes), opts);
    }

    /**
     * Makes `digest` exist in `repository`: nothing if it is there, a mount from `opts.from` if
     * the registry can, else an upload of `bytes()`, fetched only then (promotion copies blobs
     * between repositories without downloading what a mount can link).
     */
    async copyBlob(repository: string, digest: string, bytesOf: () => Promise<Buffer>, opts: { from?: string; chunkSize?: number } = {}): Promise<string> {
        // A mount request answers 201 whenever the blob can be linked, so it replaces the HEAD.
        if (!opts.from && (await this.blobExists(repository, digest))) return digest;
        // A mount the registry cannot do answers 202 with an ordinary upload session: use it.
        const query = opts.from ? `?mount=${digest}&from=${encodeURIComponent(opts.from)}` : "";
        const start = await this.call(
            "POST",
            repository,
            `/blobs/uploads/${query}`,
            digest,
            {},
            { expected: opts.from ? [201, 202] : [202], maxBytes: MAX_MANIFEST_BYTES },
        );
        if (start.status === 201) return digest;
        let location = this.location(start, repository, digest);
        const bytes = await bytesOf();
        if (sha256(bytes) !== digest) throw new RegistryError(this.registry, repository, digest, 0, `the bytes to upload hash to ${sha256(bytes)}`);
        const chunkSize = opts.chunkSize ?? Infinity;
        if (bytes.length > chunkSize) {
            for (let offset = 0; offset < bytes.length; offset += chunkSize) {
                const chunk = bytes.subarray(offset, Math.min(offset + chunkSize, bytes.length));
                const range = `${offset}-${offset + chunk.length - 1}`;
                const res = await this.call(
                    "PATCH",
                    repository,
                    "",
                    digest,
                    { "content-type": "application/octet-stream", "content-range": range },
                    { body: chunk, expected: [202], url: location, maxBytes: MAX_MANIFEST_BYTES },
                );
                location = this.location(res, repository, digest);
            }
            location.searchParams.set("digest", digest);
            await this.call("PUT", repository, "", digest, {}, { expected: [201], url: location, maxBytes: MAX_MANIFEST_BYTES });
        } else {
            // distribution answers a POST with ?digest= and a body with 202 and stores nothing: PUT to the session.
            location.searchParams.set("digest", digest);
            await this.call(
                "PUT",
                repository,
                "",
                digest,
                { "content-type": "application/octet-stream" },
                { body: bytes, expected: [201], url: location, maxBytes: MAX_MANIFEST_BYTES },
            );
        }
        return digest;
    }

    /** Every tag of a repository, following the Link header where the registry pages. */
    async listTags(repository: string, pageSize = 1000): Promise<string[]> {
        const tags: string[] = [];
        let url: URL | undefined = new URL(`/v2/${repository}/tags/list?n=${pageSize}`, this.base);
        const seen = new Set<string>();
        while (url) {
            seen.add(url.href);
            const page: URL = url;
            const res = await this.call(
                "GET",
                repository,
                "",
                "tags",
                { accept: "application/json" },
                { expected: [200], url: page, maxBytes: MAX_MANIFEST_BYTES },
            );
            tags.push(...this.parsed(repository, "tags", res.status, () => parseTagList(res.body)));
            url = this.parsed(repository, "tags", res.status, () => nextPage(res.headers.link, page));
            // A registry whose pages link back to one already read would keep a listing going forever.
            if (url && seen.has(url.href))
                throw new RegistryError(
                    this.registry,
                    repository,
                    "tags",
                    res.status,
                    `the tag list's next page, ${url.pathname}${url.search}, was already read: its pages loop`,
                    "MALFORMED",
                );
        }
        return tags;
    }

    /**
     * The manifests that refer to `digest` (their `subject`), from the referrers API, or from the
     * `sha256-<hex>` fallback index on a registry without it. The fallback is unauthenticated and
     * client-maintained, so callers must fetch each listed manifest by digest and check its subject.
     * `fallbackIndex` is that index's own digest, when one was read. A caller that has just listed
     * the repository's tags passes them as `knownTags`, so a missing fallback tag costs no request.
     */
    async referrers(
        repository: string,
        digest: string,
        artifactType?: string,
        knownTags?: ReadonlySet<string>,
    ): Promise<{ source: ReferrersSource; descriptors: Descriptor[]; fallbackIndex?: string }> {
        const ofType = (descriptors: Descriptor[]) => (artifactType ? descriptors.filter((d) => d.artifactType === artifactType) : descriptors);
        const fromApi = await this.referrersFromApi(repository, digest, artifactType);
        if (fromApi) return { source: "referrers-api", descriptors: ofType(fromApi) };
        if (knownTags && !knownTags.has(digestTag(digest))) return { source: "fallback-tag", descriptors: [] };
        let fallback: FetchedManifest;
        try {
            fallback = await this.getManifest(repository, digestTag(digest));
        } catch (error) {
            if (error instanceof RegistryError && error.notFound) return { source: "fallback-tag", descriptors: [] };
            throw error;
        }
        if (!isIndex(fallback.mediaType)) return { source: "fallback-tag", descriptors: [] };
        return { source: "fallback-tag", descriptors: ofType(fallback.manifest.manifests ?? []), fallbackIndex: fallback.digest };
    }

    /**
     * The referrers API's answer, or undefined on a registry without the API. The first call
     * probes; calls made meanwhile wait for it, so a registry without the API is asked once
     * however many lookups run in parallel. A failed probe is forgotten, so a later call asks again.
     */
    private async referrersFromApi(repository: string, digest: string, artifactType?: string): Promise<Descriptor[] | undefined> {
        if (this.referrersApiProbe && !(await this.referrersApiProbe)) return undefined;
        const ask = this.askReferrersApi(repository, digest, artifactType);
        if (!this.referrersApiProbe) {
            const probe = ask.then((found) => found !== undefined);
            this.referrersApiProbe = probe;
            probe.catch(() => {
                if (this.referrersApiProbe === probe) this.referrersApiProbe = undefined;
            });
        }
        return ask;
    }

    private async askReferrersApi(repository: string, digest: string, artifactType?: string): Promise<Descriptor[] | undefined> {
        const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
        const api = await this.call(
            "GET",
            repository,
            `/referrers/${digest}${query}`,
            digest,
            { accept: OCI_INDEX },
            { expected: [200, 404], maxBytes: MAX_MANIFEST_BYTES },
        );
        // A registry with the API answers 200 with an (empty) index even for an unknown digest
        // (OCI distribution spec 1.1): a 404 or a non-index answer means it has none.
        if (api.status !== 200 || !String(api.headers["content-type"] ?? "").startsWith(OCI_INDEX)) return undefined;
        return this.parsed(repository, digest, api.status, () => parseManifest(api.body, "referrers list")).manifests ?? [];
    }

    private location(res: HttpResponse, repository: string, reference: string): URL {
        const header = res.headers.location;
        if (!header) throw new RegistryError(this.registry, repository, reference, res.status, "the upload response has no Location header");
        return this.parsed(repository, reference, res.status, () => uploadLocation(header, this.base));
    }

    /** One API call with auth; rejects with a RegistryError unless the status is expected. */
    private async call(
        method: string,
        repository: string,
        path: string,
        reference: string,
        headers: Record<string, string>,
        opts: CallOptions = {},
    ): Promise<HttpResponse> {
        const { body, expected = [200, 201, 202], url = new URL(`/v2/${repository}${path}`, this.base), maxBytes } = opts;
        const scope = `repository:${repository}:${method === "GET" || method === "HEAD" ? "pull" : "pull,push"}`;
        const request = (auth: Record<string, string>) => ({
            method,
            url,
            headers: { ...headers, ...auth },
            ...(body ? { body } : {}),
            ...(maxBytes ? { maxBytes } : {}),
        });
        let res: HttpResponse;
        try {
            const sent = this.authHeader(scope);
            res = await this.transport.send(request(sent));
            if (res.status === 401 && (await this.authenticate(res, scope, repository, reference, sent.authorization))) {
                res = await this.transport.send(request(this.authHeader(scope)));
            }
        } catch (error) {
            if (error instanceof RegistryError) throw error; // the token service's own answer
            const code = error instanceof TransportLimitError ? error.code : undefined;
            throw new RegistryError(this.registry, repository, reference, 0, `${method} ${url.pathname}: ${(error as Error).message}`, code);
        }
        if (expected.includes(res.status)) return res;
        const { code, message } = registryErrorCode(res.body.toString("utf8"));
        const authFix = this.credentials
            ? "the registry refused the credentials: check them"
            : `set SLIPWAY_REGISTRY_USERNAME/PASSWORD or log in (docker login ${this.registry})`;
        const detail =
            res.status === 401
                ? `${message ?? "authentication required"}: ${authFix}`
                : `${method} ${url.pathname}: ${message ?? (res.body.toString("utf8").trim().slice(0, 200) || "no body")}`;
        throw new RegistryError(this.registry, repository, reference, res.status, detail, code);
    }

    /** Runs a parser of untrusted content; a malformed answer is a RegistryError naming where it came from. */
    private parsed<T>(repository: string, reference: string, status: number, parse: () => T): T {
        try {
            return parse();
        } catch (error) {
            if (error instanceof MalformedContentError) throw new RegistryError(this.registry, repository, reference, status, error.message, "MALFORMED");
            throw error;
        }
    }

    private authHeader(scope: string): Record<string, string> {
        const token = this.tokens.get(scope) ?? this.tokens.get("*");
        if (token) return { authorization: token };
        return {};
    }

    /**
     * Answers a 401 challenge; false when there is nothing (new) to answer it with. `sent` is
     * the authorization the refused request carried: requests in flight together all meet the
     * first 401, and each must retry with the header whichever answered first has set.
     */
    private async authenticate(res: HttpResponse, scope: string, repository: string, reference: string, sent: string | undefined): Promise<boolean> {
        const challenge = parseChallenge(res.headers["www-authenticate"]);
        if (!challenge) return false;
        if (challenge.scheme === "basic") {
            const current = this.tokens.get("*");
            if (current) return current !== sent;
            if (!this.credentials) return false;
            this.tokens.set("*", basicHeader(this.credentials));
            return true;
        }
        if (challenge.scheme !== "bearer" || !challenge.params.realm) return false;
        const tokenUrl = new URL(challenge.params.realm);
        if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
        tokenUrl.searchParams.set("scope", challenge.params.scope ?? scope);
        const tokenRes = await this.transport.send({
            method: "GET",
            url: tokenUrl,
            headers: this.credentials ? { authorization: basicHeader(this.credentials) } : {},
            maxBytes: MAX_MANIFEST_BYTES,
        });
        if (tokenRes.status !== 200) {
            const fix = this.credentials
                ? "check the registry credentials"
                : `set SLIPWAY_REGISTRY_USERNAME/PASSWORD or log in (docker login ${this.registry})`;
            throw new RegistryError(this.registry, repository, reference, tokenRes.status, `the token service at ${tokenUrl.origin} refused: ${fix}`);
        }
        const token = this.parsed(repository, reference, tokenRes.status, () => parseToken(tokenRes.body));
        if (!token) return false;
        this.tokens.set(scope, `Bearer ${token}`);
        return true;
    }
}
