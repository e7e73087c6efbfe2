// Sigstore bundles and trusted roots: mutations of bundles that verify (the conformance
// vectors, and a real cosign keyed signature) must never verify unless what was signed, by
// whom, over which artifact, is unchanged; trusted roots must be refused when malformed and
// bundles must stop verifying when the root stops vouching for them.
import fc from "fast-check";
import { EMPTY_TRUSTED_ROOT } from "../../../lib/cosign/verifyImage";
import { parseTrustedRoot, TrustedRootError, type TrustedRootJson } from "../../../lib/sigstore/trustedRoot";
import { BundleVerificationError, verifyBundle } from "../../../lib/sigstore/verifyBundle";
import type { FuzzTarget, Outcome } from "../harness";
import { applyByteOps, byteOpArb, canonical, differingPaths, mutateText, mutationArb, type ByteOp, type Json, type Mutation } from "../mutate";
import { conformanceSeeds, cosignSeed, type BundleSeed } from "../seeds";

/** The bundle as sigstore-js reads it, re-serialised: unknown fields dropped, base64 re-encoded. */
function normalised(json: unknown): Json {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { bundleFromJSON, bundleToJSON } = require("@sigstore/bundle") as typeof import("@sigstore/bundle");
    return bundleToJSON(bundleFromJSON(json)) as unknown as Json;
}

type Normal = {
    dsseEnvelope?: { payload?: string; payloadType?: string; signatures?: Array<{ sig?: string }> };
    messageSignature?: { signature?: string };
    verificationMaterial?: {
        certificate?: { rawBytes?: string };
        x509CertificateChain?: { certificates?: Array<{ rawBytes?: string }> };
        publicKey?: unknown;
        tlogEntries?: Array<{ canonicalizedBody?: string; inclusionProof?: { checkpoint?: { envelope?: string } } }>;
    };
};

/**
 * A certificate as its verification reads it: the signed TBS part and the CA's signature over it,
 * as sigstore-js's parser extracts them (it is lenient about the outer SEQUENCE's tag, which no
 * signature covers). Unparseable: the raw bytes.
 */
function certificateCore(rawBytes: string | undefined): string | undefined {
    if (rawBytes === undefined) return undefined;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { X509Certificate } = require("@sigstore/core") as typeof import("@sigstore/core");
        const cert = X509Certificate.parse(Buffer.from(rawBytes, "base64"));
        return `${cert.tbsCertificate.toDER().toString("base64")}.${cert.signatureValue.toString("base64")}`;
    } catch {
        return rawBytes;
    }
}

/**
 * What a verified bundle vouches for: the signed content (a DSSE payload and type, or the
 * artifact itself for a message signature: the signature is checked over its bytes, and the
 * artifact is compared apart) with its signatures, the signing certificate's signed part
 * (keyless) and the log entries' bodies. The rest is evidence sigstore-js re-derives, does not
 * use, or needs only one of (the media type, a key hint, the message digest and its algorithm's
 * name, bound through the log body when there is one; an inclusion proof's copies of its
 * checkpoint's root hash and size, the top-level log index beside the proof's own, witness
 * cosignature lines, certificates embedded in a timestamp beside the root's, an inclusion proof
 * beside a verified promise, a second verified time beside the first): a mutation there may
 * pass, and is reported by the paths it changed.
 */
function signedCore(b: Normal, keyed: boolean): { content: string; bodies: string[] } {
    const m = b.verificationMaterial;
    const content = canonical({
        dsse: b.dsseEnvelope
            ? { payload: b.dsseEnvelope.payload, payloadType: b.dsseEnvelope.payloadType, sigs: b.dsseEnvelope.signatures?.map((x) => x.sig) }
            : undefined,
        message: b.messageSignature ? { signature: b.messageSignature.signature } : undefined,
        signer: keyed
            ? m?.publicKey
                ? "key"
                : "not a key"
            : certificateCore(m?.certificate?.rawBytes ?? m?.x509CertificateChain?.certificates?.[0]?.rawBytes),
    });
    const bodies = (m?.tlogEntries ?? []).map((e) => e.canonicalizedBody ?? "").sort();
    return { content, bodies };
}

/** The same signed content; under a key, log entries may only be dropped (a keyed policy needs none), never changed. */
function sameCore(a: ReturnType<typeof signedCore>, b: ReturnType<typeof signedCore>, keyed: boolean): boolean {
    if (a.content !== b.content) return false;
    return keyed ? b.bodies.every((x) => a.bodies.includes(x)) : canonical(a.bodies) === canonical(b.bodies);
}

/** The other seeds' bundles that verify over this seed's artifact under its policy: a graft of one whole is no forgery. */
const validDonors = new Map<BundleSeed, Normal[]>();
function donorsVerifyingAs(seed: BundleSeed, all: BundleSeed[]): Normal[] {
    let found = validDonors.get(seed);
    if (!found) {
        found = all.flatMap((d) => {
            try {
                const json = JSON.parse(d.bundleText.toString("utf8")) as unknown;
                verifyBundle(json, seed.artifact, seed.root, seed.policy);
                return [normalised(json) as Normal];
            } catch {
                return [];
            }
        });
        validDonors.set(seed, found);
    }
    return found;
}

/** A verified mutation is a false accept unless it vouches for exactly what a valid bundle vouches for, over the same artifact. */
function judgeAccepted(seed: BundleSeed, all: BundleSeed[], mutated: unknown, artifact: Buffer): Outcome {
    if (!artifact.equals(seed.artifact)) return { falseAccept: "verified over a changed artifact" };
    const before = normalised(JSON.parse(seed.bundleText.toString("utf8")));
    const after = normalised(mutated);
    if (canonical(before) === canonical(after))
        return { accept: "identity (the same bundle once parsed: re-encoded base64, dropped unknown fields, duplicate keys)" };
    const keyed = !!seed.policy.publicKey;
    const core = signedCore(after as Normal, keyed);
    const changed = [...new Set(differingPaths(before, after, "", [], 6).map((p) => p.replace(/\[\]/g, "")))].join(", ");
    if (sameCore(signedCore(before as Normal, keyed), core, keyed)) return { accept: `signed content unchanged; evidence changed: ${changed}` };
    if (donorsVerifyingAs(seed, all).some((d) => sameCore(signedCore(d, keyed), core, keyed)))
        return { accept: "another valid bundle over the same artifact and signer, grafted" };
    return { falseAccept: `changed signed content verified; differs in: ${changed}` };
}

interface BundleCase {
    seed: number;
    bundle: Mutation;
    artifact: ByteOp[];
}

const bundleCaseArb = fc.record({
    seed: fc.nat(),
    bundle: mutationArb,
    artifact: fc.oneof({ weight: 9, arbitrary: fc.constant([] as ByteOp[]) }, { weight: 1, arbitrary: fc.array(byteOpArb, { minLength: 1, maxLength: 2 }) }),
});

const bundleTyped = (error: unknown): error is Error => error instanceof BundleVerificationError;

/** sigstore-js's error class and code, or ours, with the variable parts elided. */
function bundleReason(error: Error): string {
    const reason = (error as BundleVerificationError).reason ?? error.message;
    return reason
        .replace(/"[^"]*"/g, '"…"')
        .replace(/\b[a-f0-9]{12,}\b/g, "<hex>")
        .replace(/\d+/g, "N")
        .slice(0, 100);
}

function runBundleCase(seeds: BundleSeed[], all: BundleSeed[], donors: Json[], input: BundleCase): Outcome {
    const seed = seeds[input.seed % seeds.length]!;
    const text = mutateText(seed.bundleText, input.bundle, donors);
    const artifact = input.artifact.length ? applyByteOps(seed.artifact, input.artifact) : seed.artifact;
    let json: unknown;
    try {
        json = JSON.parse(text.toString("utf8"));
    } catch {
        return { reject: "not JSON (the caller's JSON.parse refuses it)" };
    }
    verifyBundle(json, artifact, seed.root, seed.policy);
    return judgeAccepted(seed, all, json, artifact);
}

function bundleTarget(name: string, about: string, seedsOf: () => BundleSeed[]): FuzzTarget<BundleCase> {
    let seeds: BundleSeed[] = [];
    let all: BundleSeed[] = [];
    let donors: Json[] = [];
    return {
        name,
        about,
        arbitrary() {
            seeds = seedsOf();
            all = [...new Set([...seeds, ...conformanceSeeds()])];
            donors = all.map((s) => JSON.parse(s.bundleText.toString("utf8")) as Json);
            return bundleCaseArb;
        },
        run: (input) => runBundleCase(seeds, all, donors, input),
        typed: bundleTyped,
        reasonOf: bundleReason,
    };
}

export const conformanceBundles = bundleTarget(
    "sigstore bundle (conformance)",
    "the sigstore-conformance bundles that verify (keyless, keyed, DSSE, Rekor v2, TSA), mutated as JSON and as bytes, with their artifacts",
    conformanceSeeds,
);

/** The cosign CLI's own keyed bundle over a real image manifest, verified as verifyImage does. */
export function cosignBundleSeed(): BundleSeed {
    return {
        name: "cosign",
        bundleText: cosignSeed("bundle.sigstore.json"),
        artifact: cosignSeed("subject.json"),
        root: EMPTY_TRUSTED_ROOT,
        policy: { publicKey: cosignSeed("cosign.pub").toString("utf8") },
    };
}

export const cosignBundles = bundleTarget(
    "sigstore bundle (real cosign, keyed)",
    "the bundle `cosign sign --key` attached to a real image, mutated, grafted with parts of other bundles",
    () => [cosignBundleSeed()],
);

// ---- trusted roots ----

/** Mutations that take away what a bundle relies on: after them, the bundle must not verify. */
const TRUST_REMOVALS = ["drop-cas", "corrupt-cas", "expire-cas", "drop-tlogs", "corrupt-tlog-keys"] as const;
type Removal = (typeof TRUST_REMOVALS)[number];

interface RootCase {
    seed: number;
    root: Mutation | { kind: "remove"; what: Removal; bit: number };
}

type RootJson = { [key: string]: Json } & {
    certificateAuthorities?: Array<{ certChain?: { certificates?: Array<{ rawBytes: string }> }; validFor?: { start?: string; end?: string } }>;
    tlogs?: Array<{ publicKey?: { rawBytes?: string } }>;
};

function removeTrust(root: RootJson, what: Removal, bit: number): RootJson {
    const flip = (b64: string) => {
        const bytes = Buffer.from(b64, "base64");
        // In the second half, where the key material and a certificate's signed fields are: a flip
        // in a DER header (a BIT STRING's unused-bits byte, say) can leave the same key, parsed leniently.
        const at = bytes.length - 1 - (bit % Math.max(1, Math.floor(bytes.length / 2)));
        bytes[at]! ^= 0x01;
        return bytes.toString("base64");
    };
    if (what === "drop-cas") return { ...root, certificateAuthorities: [] };
    if (what === "drop-tlogs") return { ...root, tlogs: [] };
    if (what === "expire-cas")
        return {
            ...root,
            certificateAuthorities: (root.certificateAuthorities ?? []).map((ca) => ({
                ...ca,
                validFor: { start: "1970-01-01T00:00:00Z", end: "1970-01-02T00:00:00Z" },
            })),
        };
    if (what === "corrupt-cas")
        return {
            ...root,
            certificateAuthorities: (root.certificateAuthorities ?? []).map((ca) => ({
                ...ca,
                certChain: { certificates: (ca.certChain?.certificates ?? []).map((c) => ({ rawBytes: flip(c.rawBytes) })) },
            })),
        };
    return {
        ...root,
        tlogs: (root.tlogs ?? []).map((t) => ({
            ...t,
            publicKey: { ...t.publicKey, ...(t.publicKey?.rawBytes ? { rawBytes: flip(t.publicKey.rawBytes) } : {}) },
        })),
    };
}

/** Whether a removal leaves the seed nothing to verify with (a keyed bundle never uses the CAs; one without log entries never uses the logs). */
function removalApplies(seed: BundleSeed, what: Removal): boolean {
    const bundle = JSON.parse(seed.bundleText.toString("utf8")) as { verificationMaterial?: { tlogEntries?: unknown[] } };
    if (what.endsWith("cas")) return !seed.policy.publicKey;
    return (bundle.verificationMaterial?.tlogEntries?.length ?? 0) > 0;
}

export const trustedRoots: FuzzTarget<RootCase> = (() => {
    let seeds: BundleSeed[] = [];
    return {
        name: "trusted root",
        about: "trusted_root.json text (the public-good root and the vectors' custom roots) mutated, then used to verify the bundle it vouches for; directed mutations remove the trust that bundle needs",
        arbitrary() {
            seeds = conformanceSeeds();
            return fc.record({
                seed: fc.nat(),
                root: fc.oneof(
                    { weight: 3, arbitrary: mutationArb },
                    { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove" as const), what: fc.constantFrom(...TRUST_REMOVALS), bit: fc.nat() }) },
                ),
            });
        },
        run(input) {
            const seed = seeds[input.seed % seeds.length]!;
            const rootText = seed.rootText ?? Buffer.from(JSON.stringify(seed.root));
            const text =
                input.root.kind === "remove"
                    ? Buffer.from(JSON.stringify(removeTrust(JSON.parse(rootText.toString("utf8")) as RootJson, input.root.what, input.root.bit)))
                    : mutateText(rootText, input.root);
            const root: TrustedRootJson = parseTrustedRoot(text.toString("utf8"));
            const logs = [...(Array.isArray(root.tlogs) ? root.tlogs : []), ...(Array.isArray(root.ctlogs) ? root.ctlogs : [])];
            if (logs.some((l) => typeof l?.publicKey?.validFor?.start !== "string" || !l.publicKey.validFor.start))
                return { falseAccept: "a root with a log key that has no validity start passed the check" };
            verifyBundle(JSON.parse(seed.bundleText.toString("utf8")), seed.artifact, root, seed.policy);
            if (input.root.kind === "remove" && removalApplies(seed, input.root.what))
                return { falseAccept: `the bundle still verified after ${input.root.what}` };
            if (canonical(root) === canonical(seed.root)) return { accept: "identity" };
            return {
                accept:
                    input.root.kind === "remove"
                        ? `${input.root.what} (material this bundle does not use)`
                        : "changed root still vouches for the bundle (not judged: a random mutation may leave what this bundle uses intact)",
            };
        },
        typed: (error): error is Error => error instanceof TrustedRootError || error instanceof BundleVerificationError,
        reasonOf: (error) =>
            error instanceof TrustedRootError
                ? `root refused: ${error.message.replace(/\(.*\)/, "(…)").replace(/ https?:\/\/\S+/, " <url>")}`
                : `bundle refused: ${bundleReason(error)}`,
    };
})();
