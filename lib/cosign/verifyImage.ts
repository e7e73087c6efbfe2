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
    return { ...result, children: await verifyChildren(client, repository, subject, policy, 1) };
}

/** Every manifest an index lists, each verified, and theirs in turn; returns their digests (the tree under it). */
async function verifyChildren(client: RegistryClient, repository: string, index: FetchedManifest, policy: ImagePolicy, depth: number): Promise<string[]> {
    const where = `${client.registry}/${repository}@${index.digest} (index)`;
    if (depth > MAX_INDEX_DEPTH) throw new SignatureVerificationError(where, [`indexes nest deeper than ${MAX_INDEX_DEPTH} levels: refused rather than verified in part`]);
    const children = (index.manifest.manifests ?? []).map((m) => m.digest);
    // Every child is checked, and every failing one reported: an operator fixes them in one pass.
    const outcomes = await Promise.allSettled(
        children.map(async (child) => {
            const { subject } = await verifyOne(client, repository, child, policy);
            return isIndex(subject.mediaType) ? [child, ...(await verifyChildren(client, repository, subject, policy, depth + 1))] : [child];
        }),
    );
    const failed = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as Error).message] : []));
    if (failed.length > 0) throw new SignatureVerificationError(where, failed.map((f) => `child ${f}`));
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
    if (manifest.artifactType !== BUNDLE_TYPE && manifest.config?.artifactType !== BUNDLE_TYPE) throw new Error(`it is not a Sigstore bundle (artifactType ${manifest.artifactType ?? "none"})`);
    if (manifest.subject?.digest !== subject) throw new Error(`its subject is ${manifest.subject?.digest ?? "missing"}, not this image`);
    const layer = manifest.layers?.find((l) => l.mediaType === BUNDLE_TYPE);
    if (!layer) throw new Error("it has no bundle layer");
    return JSON.parse((await client.getBlob(repository, layer.digest)).toString("utf8"));
}

interface LegacyLayer {
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
    return Promise.all(layers.map(async (l) => ({ payload: await client.getBlob(repository, l.digest), ...(l.annotations?.[SIGNATURE_ANNOTATION] ? { signature: l.annotations[SIGNATURE_ANNOTATION] } : {}) })));
}

/** cosign's simple-signing layer: an ECDSA signature over the payload, which names the digest. */
function verifyLegacy(layer: LegacyLayer, digest: string, policy: ImagePolicy): BundleVerification {
    if (!policy.publicKey) throw new Error("legacy keyless signatures are not accepted: sign with cosign's bundle format (the default since cosign 3)");
    if (!layer.signature) throw new Error("the layer carries no signature annotation");
    const key = createPublicKey(policy.publicKey);
    if (!verifySignature("sha256", layer.payload, key, Buffer.from(layer.signature, "base64"))) throw new Error("wrong key, or a tampered payload: the signature does not verify");
    const payload = JSON.parse(layer.payload.toString("utf8")) as { critical?: { image?: { "docker-manifest-digest"?: string } } };
    const named = payload.critical?.image?.["docker-manifest-digest"];
    if (named !== digest) throw new Error(`the signed payload is for ${named ?? "no digest"}, not this image`);
    return { signer: keyFingerprint(key) };
}

function reasonOf(error: unknown): string {
    if (error instanceof BundleVerificationError) return error.reason;
    if (error instanceof RegistryError) return error.message;
    return (error as Error).message ?? String(error);
}
