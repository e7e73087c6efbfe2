// Proves an image (or index, with every child) is signed, in any of cosign's layouts: a v0.3
// bundle found through the referrers API or its sha256-<hex> fallback index, or the legacy
// `sha256-<hex>.sig` tag. Fails closed: no signature, or only bad ones, is an error listing
// what was found and why each was refused.
import { verify as verifySignature, createPublicKey } from "node:crypto";
import type { FetchedManifest, RegistryClient } from "../oci/client";
import { RegistryError } from "../oci/errors";
import { isIndex } from "../oci/mediaTypes";
import { digestTag } from "../oci/reference";
import type { TrustedRootJson } from "../sigstore/trustedRoot";
import { BundleVerificationError, keyFingerprint, verifyBundle, type BundlePolicy, type BundleVerification } from "../sigstore/verifyBundle";

export const BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

/** The trusted root for keyed signatures without a transparency log: nothing to trust but the key. */
export const EMPTY_TRUSTED_ROOT: TrustedRootJson = {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [],
    ctlogs: [],
    certificateAuthorities: [],
    timestampAuthorities: [],
};

export type SignatureLayout = "bundle-referrer" | "bundle-fallback-tag" | "legacy-sig-tag";

export interface ImageVerification extends BundleVerification {
    digest: string;
    layout: SignatureLayout;
    /** Child manifests of an index, each verified too. */
    children: string[];
}

export class SignatureVerificationError extends Error {
    constructor(
        readonly reference: string,
        readonly reasons: string[],
    ) {
        super(`${reference}: ${reasons.length === 1 ? reasons[0] : `no valid signature:\n  - ${reasons.join("\n  - ")}`}`);
        this.name = "SignatureVerificationError";
    }
}

export interface ImagePolicy extends BundlePolicy {
    /** Required for keyless; keyed signatures default to the empty root (the key alone). */
    trustedRoot?: TrustedRootJson;
}

/** Indexes inside indexes are verified this deep, no deeper: a deeper tree is refused, never half-verified. */
export const MAX_INDEX_DEPTH = 4;

/** Verifies `digest` (and, for an index, every manifest under it, recursively) in `repository`. */
export async function verifyImage(client: RegistryClient, repository: string, digest: string, policy: ImagePolicy): Promise<ImageVerification> {
    const { subject, ...result } = await verifyOne(client, repository, digest, policy);
    if (!isIndex(subject.mediaType)) return { ...result, children: [] };
    return { ...result, children: await verifyChildren(client, repository, subject, policy, 1, new Map(), new Map()) };
}

/**
 * Every manifest an index lists, each verified, and theirs in turn; returns their digests (the
 * tree under it). A manifest listed many times (in one index or several) is verified once and
 * walked once per depth (`verified`, `walked`): an index that lists one child a thousand times
 * at every level costs what its distinct manifests cost, not a thousand to the fourth.
 */
async function verifyChildren(
    client: RegistryClient,
    repository: string,
    index: FetchedManifest,
    policy: ImagePolicy,
    depth: number,
    verified: Map<string, Promise<OneVerification>>,
    walked: Map<string, Promise<string[]>>,
): Promise<string[]> {
    const where = `${client.registry}/${repository}@${index.digest} (index)`;
    if (depth > MAX_INDEX_DEPTH)
        throw new SignatureVerificationError(where, [`indexes nest deeper than ${MAX_INDEX_DEPTH} levels: refused rather than verified in part`]);
    const children = [...new Set((index.manifest.manifests ?? []).map((m) => m.digest))];
    const once = <T>(memo: Map<string, Promise<T>>, key: string, run: () => Promise<T>): Promise<T> => {
        let p = memo.get(key);
        if (!p) memo.set(key, (p = run()));
        return p;
    };
    // Every child is checked, and every failing one reported: an operator fixes them in one pass.
    const outcomes = await Promise.allSettled(
        children.map((child) =>
            once(walked, `${depth} ${child}`, async () => {
                const { subject } = await once(verified, child, () => verifyOne(client, repository, child, policy));
                return isIndex(subject.mediaType)
                    ? [child, ...(await verifyChildren(client, repository, subject, policy, depth + 1, verified, walked))]
                    : [child];
            }),
        ),
    );
    const failed = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as Error).message] : []));
    if (failed.length > 0)
        throw new SignatureVerificationError(
            where,
            failed.map((f) => `child ${f}`),
        );
    return [...new Set(outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value : [])))];
}

type OneVerification = Omit<ImageVerification, "children"> & { subject: FetchedManifest };

async function verifyOne(client: RegistryClient, repository: string, digest: string, policy: ImagePolicy): Promise<OneVerification> {
    const where = `${client.registry}/${repository}@${digest}`;
    const root = policy.trustedRoot ?? (policy.publicKey ? EMPTY_TRUSTED_ROOT : undefined);
    if (!root) throw new SignatureVerificationError(where, ["a keyless policy needs a trusted root (trusted_root.json)"]);
    // Independent lookups, one round trip: the signed manifest itself and its bundle referrers.
    const [subject, { source, descriptors }] = await Promise.all([client.getManifest(repository, digest), client.referrers(repository, digest, BUNDLE_TYPE)]);
    const refused: string[] = [];

    const layout: SignatureLayout = source === "referrers-api" ? "bundle-referrer" : "bundle-fallback-tag";
    for (const d of descriptors) {
        try {
            const bundle = await loadBundle(client, repository, d.digest, digest);
            return { digest, subject, layout, ...verifyBundle(bundle, subject.bytes, root, policy) };
        } catch (error) {
            refused.push(`${layout} ${d.digest.slice(0, 19)}…: ${reasonOf(error)}`);
        }
    }

    const legacy = await legacySignatures(client, repository, digest);
    for (const [i, layer] of legacy.entries()) {
        try {
            return { digest, subject, layout: "legacy-sig-tag", ...verifyLegacy(layer, digest, policy) };
        } catch (error) {
            refused.push(`legacy-sig-tag layer ${i}: ${reasonOf(error)}`);
        }
    }

    if (refused.length === 0) {
        throw new SignatureVerificationError(where, [
            `no signature found (looked for bundles via ${source === "referrers-api" ? "the referrers API" : `the fallback tag ${digestTag(digest)}`} and for the legacy tag ${digestTag(digest, ".sig")})`,
        ]);
    }
    throw new SignatureVerificationError(where, refused);
}

/** A bundle referrer, checked as the unauthenticated thing it is: by digest, its type, its subject. */
async function loadBundle(client: RegistryClient, repository: string, referrer: string, subject: string): Promise<unknown> {
    const { manifest } = await client.getManifest(repository, referrer);
    if (manifest.artifactType !== BUNDLE_TYPE && manifest.config?.artifactType !== BUNDLE_TYPE)
        throw new Error(`it is not a Sigstore bundle (artifactType ${manifest.artifactType ?? "none"})`);
    if (manifest.subject?.digest !== subject) throw new Error(`its subject is ${manifest.subject?.digest ?? "missing"}, not this image`);
    const layer = manifest.layers?.find((l) => l.mediaType === BUNDLE_TYPE);
    if (!layer) throw new Error("it has no bundle layer");
    return JSON.parse((await client.getBlob(repository, layer.digest)).toString("utf8"));
}

export interface LegacyLayer {
    payload: Buffer;
    signature?: string;
}

async function legacySignatures(client: RegistryClient, repository: string, digest: string): Promise<LegacyLayer[]> {
    let sig;
    try {
        sig = await client.getManifest(repository, digestTag(digest, ".sig"));
    } catch (error) {
        if (error instanceof RegistryError && error.notFound) return [];
        throw error;
    }
    const layers = (sig.manifest.layers ?? []).filter((l) => l.mediaType === SIMPLE_SIGNING);
    return Promise.all(
        layers.map(async (l) => ({
            payload: await client.getBlob(repository, l.digest),
            ...(l.annotations?.[SIGNATURE_ANNOTATION] ? { signature: l.annotations[SIGNATURE_ANNOTATION] } : {}),
        })),
    );
}

/**
 * cosign's simple-signing layer: an ECDSA signature over the payload, which names the digest.
 * Throws a SignatureVerificationError naming the digest and why. The payload is read only once
 * its signature verifies, and even then as the untrusted JSON it is (anyone with the key can sign `null`).
 */
export function verifyLegacy(layer: LegacyLayer, digest: string, policy: ImagePolicy): BundleVerification {
    const refuse = (reason: string) => new SignatureVerificationError(digest, [reason]);
    if (!policy.publicKey) throw refuse("legacy keyless signatures are not accepted: sign with cosign's bundle format (the default since cosign 3)");
    if (!layer.signature) throw refuse("the layer carries no signature annotation");
    const key = createPublicKey(policy.publicKey);
    let verified: boolean;
    try {
        verified = verifySignature("sha256", layer.payload, key, Buffer.from(layer.signature, "base64"));
    } catch (error) {
        throw refuse(`the signature cannot be checked with the policy's key: ${(error as Error).message}`);
    }
    if (!verified) throw refuse("wrong key, or a tampered payload: the signature does not verify");
    let payload: unknown;
    try {
        payload = JSON.parse(layer.payload.toString("utf8"));
    } catch {
        throw refuse("the signed payload is not JSON: it is no cosign simple-signing payload");
    }
    const field = (value: unknown, name: string): unknown =>
        value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
    const named = field(field(field(payload, "critical"), "image"), "docker-manifest-digest");
    if (named !== digest) throw refuse(`the signed payload is for ${typeof named === "string" ? named : "no digest"}, not this image`);
    return { signer: keyFingerprint(key) };
}

function reasonOf(error: unknown): string {
    if (error instanceof BundleVerificationError) return error.reason;
    if (error instanceof SignatureVerificationError) return error.reasons.join("; ");
    if (error instanceof RegistryError) return error.message;
    return (error as Error).message ?? String(error);
}
