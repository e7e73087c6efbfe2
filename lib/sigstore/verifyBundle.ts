// Verifies one Sigstore bundle offline with @sigstore/verify, closing the gaps measured against
// cosign's own verification: identities and issuers are
// matched exactly or by ANCHORED patterns, a keyless bundle needs a policy, every exception is
// a failure, a DSSE statement must name the artifact's digest, and the trusted root is checked.
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { checkTrustedRoot, type TrustedRootJson } from "./trustedRoot";

type Sigstore = typeof import("@sigstore/bundle") & typeof import("@sigstore/verify") & typeof import("@sigstore/protobuf-specs");
let loaded: Sigstore | undefined;
/**
 * The sigstore packages, required on first use (kept out of every program's start-up) and held
 * here: a `require` per call would walk the module resolution each time, which showed in the
 * verification benchmark's profile.
 */
function sigstore(): Sigstore {
    /* eslint-disable @typescript-eslint/no-require-imports */
    loaded ??= {
        ...(require("@sigstore/bundle") as typeof import("@sigstore/bundle")),
        ...(require("@sigstore/verify") as typeof import("@sigstore/verify")),
        ...(require("@sigstore/protobuf-specs") as typeof import("@sigstore/protobuf-specs")),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return loaded;
}

/** A literal matches exactly; a regexp is anchored at both ends. */
export type Matcher = { exact: string } | { regexp: string };

export interface BundlePolicy {
    /** PEM public key: keyed signatures. */
    publicKey?: string;
    /** Keyless: the certificate's identity (SAN) and OIDC issuer. Both required without a key. */
    identity?: Matcher;
    issuer?: Matcher;
}

export interface BundleVerification {
    /** `key:<sha256 of the DER public key>` or the certificate identity. */
    signer: string;
    issuer?: string;
}

export class BundleVerificationError extends Error {
    constructor(readonly reason: string) {
        super(reason);
        this.name = "BundleVerificationError";
    }
}

const anchored = (m: Matcher) => ("exact" in m ? (value: string) => value === m.exact : (value: string) => new RegExp(`^(?:${m.regexp})$`).test(value));
const describe = (m: Matcher) => ("exact" in m ? `"${m.exact}"` : `/^(?:${m.regexp})$/`);

interface DsseBundle {
    content?: { $case?: string; dsseEnvelope?: { payload: Buffer }; messageSignature?: unknown };
    verificationMaterial?: { content?: { $case?: string }; tlogEntries?: unknown[]; timestampVerificationData?: { rfc3161Timestamps?: unknown[] } };
}

/**
 * Verifies `bundleJson` over `artifact` (the signed bytes; for a DSSE bundle, the statement's
 * subject) against `trustedRoot` and `policy`. Throws BundleVerificationError with the reason.
 */
export function verifyBundle(bundleJson: unknown, artifact: Buffer, trustedRoot: TrustedRootJson, policy: BundlePolicy): BundleVerification {
    const { bundleFromJSON, Verifier, toSignedEntity } = sigstore();
    if (!policy.publicKey && !(policy.identity && policy.issuer)) {
        throw new BundleVerificationError(
            "a keyless signature needs both an identity and an issuer to match: without them any identity the CA issued would pass",
        );
    }
    try {
        const { trust, key } = trustFor(trustedRoot, policy.publicKey);
        const bundle = bundleFromJSON(bundleJson);
        const material = (bundle as unknown as DsseBundle).verificationMaterial;
        // A keyed policy trusts its key and nothing else: a certificate, even one the root's CA
        // issued, names some identity, not this key (sigstore-js would check its chain and pass).
        if (key && material?.content?.$case !== "publicKey") {
            throw new BundleVerificationError(
                `the bundle is signed with ${material?.content?.$case === undefined ? "no verification material" : "a certificate"}, not with the policy's key: a keyed policy accepts only signatures by that key`,
            );
        }
        const tlogEntries = material?.tlogEntries?.length ?? 0;
        const tsaStamps = material?.timestampVerificationData?.rfc3161Timestamps?.length ?? 0;
        // Keyless: a logged entry and a verified time are required. Keyed: whatever log entries
        // or timestamps the bundle carries must verify; a bundle with none (cosign --key without
        // a log) is judged by its signature alone.
        const verifier = new Verifier(
            trust,
            key
                ? { tlogThreshold: Math.min(tlogEntries, 1), ctlogThreshold: 0, tsaThreshold: 0, timestampThreshold: tlogEntries + tsaStamps > 0 ? 1 : 0 }
                : { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 0, timestampThreshold: 1 },
        );
        checkDsseSubject(bundle, artifact);
        const signer = verifier.verify(toSignedEntity(bundle, artifact));
        if (key) return { signer: keyFingerprint(key.object, key) };
        const identity = signer.identity?.subjectAlternativeName ?? "";
        const issuer = signer.identity?.extensions?.issuer ?? "";
        if (!anchored(policy.identity!)(identity))
            throw new BundleVerificationError(`identity mismatch: the certificate names "${identity}", the policy wants ${describe(policy.identity!)}`);
        if (!anchored(policy.issuer!)(issuer))
            throw new BundleVerificationError(`issuer mismatch: the certificate names "${issuer}", the policy wants ${describe(policy.issuer!)}`);
        return { signer: identity, issuer };
    } catch (error) {
        if (error instanceof BundleVerificationError) throw error;
        throw new BundleVerificationError(`${(error as Error).name ?? "Error"}: ${(error as Error).message}`);
    }
}

/** `key:<sha256 of the DER SubjectPublicKeyInfo>`: names a key without printing it. */
export function keyFingerprint(key: KeyObject, memo?: { fingerprint?: string }): string {
    if (memo?.fingerprint) return memo.fingerprint;
    const fingerprint = `key:${createHash("sha256")
        .update(key.export({ type: "spki", format: "der" }))
        .digest("hex")}`;
    if (memo) memo.fingerprint = fingerprint;
    return fingerprint;
}

type TrustMaterial = ReturnType<typeof import("@sigstore/verify").toTrustMaterial>;
interface Trust {
    trust: TrustMaterial;
    key?: { object: KeyObject; fingerprint?: string };
}

/**
 * The checked trusted root and parsed key, built once per (root, key) and reused: verifying
 * many artifacts under one policy should not re-parse the same root and PEM each time.
 * Only successes are kept, so a bad root or key fails on every call.
 */
const trustCache = new WeakMap<TrustedRootJson, Map<string, Trust>>();
function trustFor(trustedRoot: TrustedRootJson, publicKey: string | undefined): Trust {
    const { TrustedRoot, toTrustMaterial } = sigstore();
    let byKey = trustCache.get(trustedRoot);
    if (!byKey) trustCache.set(trustedRoot, (byKey = new Map<string, Trust>()));
    const cached = byKey.get(publicKey ?? "");
    if (cached) return cached;
    checkTrustedRoot(trustedRoot);
    const object = publicKey ? createPublicKey(publicKey) : undefined;
    // Under a key, the root vouches for log entries and timestamps only: its certificate
    // authorities are dropped, so no certificate can ever chain (key + root means exactly that).
    const root = object ? { ...trustedRoot, certificateAuthorities: [] } : trustedRoot;
    const trust: Trust = {
        trust: toTrustMaterial(TrustedRoot.fromJSON(root), object ? () => ({ publicKey: object, validFor: () => true }) : undefined),
        ...(object ? { key: { object } } : {}),
    };
    byKey.set(publicKey ?? "", trust);
    return trust;
}

/** A DSSE in-toto statement must name the artifact; sigstore-js leaves that to the caller. */
function checkDsseSubject(bundle: DsseBundle, artifact: Buffer): void {
    if (bundle.content?.$case !== "dsseEnvelope") return;
    const statement = JSON.parse(bundle.content.dsseEnvelope!.payload.toString("utf8")) as { subject?: Array<{ digest?: { sha256?: string } }> };
    const want = createHash("sha256").update(artifact).digest("hex");
    if (!statement.subject?.some((s) => s.digest?.sha256 === want)) {
        throw new BundleVerificationError(`the DSSE statement's subjects do not include the artifact (sha256:${want})`);
    }
}
