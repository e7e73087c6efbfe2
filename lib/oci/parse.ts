// What a registry sends is untrusted bytes: parsed and shape-checked here, once, so the code
// that walks manifests, indexes, referrer lists and tag lists can rely on their shape. A bad
// answer is a MalformedContentError (the client turns it into a RegistryError naming where),
// never a TypeError deep in a caller.
import type { Descriptor, Manifest } from "./mediaTypes";

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export class MalformedContentError extends Error {
    constructor(
        readonly what: string,
        detail: string,
    ) {
        super(`the ${what} is malformed: ${detail}`);
        this.name = "MalformedContentError";
    }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON text to a value; a syntax error becomes a MalformedContentError. */
export function parseJson(bytes: Buffer | string, what: string): unknown {
    try {
        return JSON.parse(typeof bytes === "string" ? bytes : bytes.toString("utf8"));
    } catch (error) {
        throw new MalformedContentError(what, `not JSON (${(error as Error).message})`);
    }
}

function checkStringMap(value: unknown, what: string, field: string): void {
    if (value === undefined) return;
    if (!isObject(value) || Object.values(value).some((v) => typeof v !== "string"))
        throw new MalformedContentError(what, `${field} must map strings to strings`);
}

function checkDescriptor(value: unknown, what: string, field: string): asserts value is Descriptor {
    if (!isObject(value)) throw new MalformedContentError(what, `${field} is not a descriptor object`);
    if (typeof value.digest !== "string" || !DIGEST.test(value.digest)) throw new MalformedContentError(what, `${field}.digest is not a sha256 digest`);
    if (typeof value.mediaType !== "string") throw new MalformedContentError(what, `${field}.mediaType is not a string`);
    if (value.size !== undefined && (typeof value.size !== "number" || !Number.isSafeInteger(value.size) || value.size < 0))
        throw new MalformedContentError(what, `${field}.size is not a size`);
    if (value.artifactType !== undefined && typeof value.artifactType !== "string")
        throw new MalformedContentError(what, `${field}.artifactType is not a string`);
    checkStringMap(value.annotations, what, `${field}.annotations`);
    if (value.platform !== undefined) {
        const p = value.platform;
        if (!isObject(p) || typeof p.architecture !== "string" || typeof p.os !== "string")
            throw new MalformedContentError(what, `${field}.platform needs architecture and os strings`);
    }
}

function checkDescriptors(value: unknown, what: string, field: string): void {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) throw new MalformedContentError(what, `${field} is not a list`);
    value.forEach((d, i) => checkDescriptor(d, what, `${field}[${i}]`));
}

/** A manifest or index: the fields Slipway reads have the types it expects. */
export function parseManifest(bytes: Buffer, what = "manifest"): Manifest {
    const value = parseJson(bytes, what);
    if (!isObject(value)) throw new MalformedContentError(what, "not a JSON object");
    if (value.schemaVersion !== 2) throw new MalformedContentError(what, `schemaVersion is ${JSON.stringify(value.schemaVersion)}, not 2`);
    for (const field of ["mediaType", "artifactType"] as const) {
        if (value[field] !== undefined && typeof value[field] !== "string") throw new MalformedContentError(what, `${field} is not a string`);
    }
    for (const field of ["config", "subject"] as const) if (value[field] !== undefined) checkDescriptor(value[field], what, field);
    checkDescriptors(value.layers, what, "layers");
    checkDescriptors(value.manifests, what, "manifests");
    checkStringMap(value.annotations, what, "annotations");
    return value as unknown as Manifest;
}

/** The distribution spec's tag grammar. */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/**
 * A tag list page: `{ tags: string[] | null }`, every tag in the spec's grammar. Callers build
 * request paths from tags (retention untags them): `../other/manifests/…` must never be one.
 */
export function parseTagList(bytes: Buffer): string[] {
    const value = parseJson(bytes, "tag list");
    if (!isObject(value)) throw new MalformedContentError("tag list", "not a JSON object");
    if (value.tags === undefined || value.tags === null) return [];
    if (!Array.isArray(value.tags) || value.tags.some((t) => typeof t !== "string"))
        throw new MalformedContentError("tag list", "tags is not a list of strings");
    const bad = (value.tags as string[]).find((t) => !TAG.test(t));
    if (bad !== undefined) throw new MalformedContentError("tag list", `${JSON.stringify(bad.slice(0, 80))} is not a tag ([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127})`);
    return value.tags as string[];
}

/**
 * The next page a tag list's Link header names (RFC 8288, rel=next quoted or not), resolved
 * against the page's URL; undefined on the last page. A link that is no URL, or that leaves the
 * registry's origin, is refused: the client would send the registry's credentials there.
 */
export function nextPage(link: string | string[] | undefined, page: URL): URL | undefined {
    const target = /<([^>]+)>;\s*rel="?next"?/.exec([link ?? []].flat().join(", "))?.[1];
    if (target === undefined) return undefined;
    let url: URL;
    try {
        url = new URL(target, page);
    } catch {
        throw new MalformedContentError("tag list", `its Link header names ${JSON.stringify(target.slice(0, 80))}, which is not a URL`);
    }
    if (url.origin !== page.origin)
        throw new MalformedContentError(
            "tag list",
            `its next page is on ${url.origin}, not on the registry (${page.origin}): the registry's credentials go nowhere else`,
        );
    return url;
}

/** An upload session's Location header, resolved against the registry's URL. */
export function uploadLocation(header: string, base: string): URL {
    try {
        return new URL(header, base);
    } catch {
        throw new MalformedContentError("upload answer", `its Location header ${JSON.stringify(header.slice(0, 80))} is not a URL`);
    }
}

/** A token service's answer: the token, or undefined when it sent none. */
export function parseToken(bytes: Buffer): string | undefined {
    const value = parseJson(bytes, "token answer");
    if (!isObject(value)) throw new MalformedContentError("token answer", "not a JSON object");
    const token = value.token ?? value.access_token;
    if (token !== undefined && typeof token !== "string") throw new MalformedContentError("token answer", "the token is not a string");
    return token || undefined;
}
