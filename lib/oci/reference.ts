// Image references: `registry[:port]/repository[:tag][@sha256:<hex>]`. A reference names a
// registry explicitly: Slipway never guesses docker.io.

export interface Reference {
    /** Host and optional port, e.g. `127.0.0.1:5000`. */
    registry: string;
    repository: string;
    tag?: string;
    digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** distribution's reference grammar for the registry part: DNS-style components or an IPv6 literal, then an optional port. */
const HOST_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const REGISTRY = new RegExp(`^(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const REPOSITORY = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function isDigest(value: string): boolean {
    return DIGEST.test(value);
}

export function parseReference(text: string): Reference {
    const fail = (why: string) => new Error(`"${text}" is not an image reference (${why}); expected registry/repository[:tag][@sha256:<64 hex>]`);
    let rest = text;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!isDigest(digest)) throw fail("the digest must be sha256:<64 lowercase hex>");
    }
    const slash = rest.indexOf("/");
    if (slash <= 0) throw fail("no registry host");
    const registry = rest.slice(0, slash);
    if (!/[.:]|^localhost$/.test(registry)) throw fail(`"${registry}" is not a registry host (it needs a '.', a port or to be localhost)`);
    // The host goes into URLs and credential lookups: only what a host name, address and port can be.
    if (!REGISTRY.test(registry)) throw fail(`"${registry}" is not a registry host (host names, IPv4 or [IPv6] addresses, and an optional :port)`);
    if (Number(/:(\d+)$/.exec(registry)?.[1] ?? 0) > 65535) throw fail(`"${registry}" names a port above 65535`);
    let repository = rest.slice(slash + 1);
    let tag: string | undefined;
    const colon = repository.lastIndexOf(":");
    if (colon >= 0) {
        tag = repository.slice(colon + 1);
        repository = repository.slice(0, colon);
        if (!TAG.test(tag)) throw fail(`"${tag}" is not a valid tag`);
    }
    if (!REPOSITORY.test(repository)) throw fail(`"${repository}" is not a valid repository name`);
    if (!tag && !digest) throw fail("it names neither a tag nor a digest");
    return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The reference as text; the digest wins over the tag when both are set and `pinned` is asked. */
export function formatReference(ref: Reference, pinned = false): string {
    const base = `${ref.registry}/${ref.repository}`;
    if (pinned && ref.digest) return `${base}@${ref.digest}`;
    return `${base}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** The tag cosign and the OCI referrers fallback use for a digest: `sha256-<hex>`. */
export function digestTag(digest: string, suffix = ""): string {
    if (!isDigest(digest)) throw new Error(`"${digest}" is not a sha256 digest`);
    return `${digest.replace(":", "-")}${suffix}`;
}

/** `registry/repository` (a repository, no tag or digest), e.g. a mirror's or a declared repository's target. */
export function parseRepository(text: string): Pick<Reference, "registry" | "repository"> {
    if (/[@]/.test(text) || /:[^/]*$/.test(text.slice(text.indexOf("/") + 1)))
        throw new Error(`"${text}" is not a repository (registry/repository, no tag or digest)`);
    // Parsed as an image with a placeholder tag, so both follow one grammar.
    const { registry, repository } = parseReference(`${text}:latest`);
    return { registry, repository };
}
