// cosign's legacy simple-signing layer (the `.sig` tag) and verifyImage over generated index
// trees. The simple-signing seed is a real `cosign sign --key` signature; generated payloads
// are signed with a key made here, so the code after the signature check is reached too.
import fc from "fast-check";
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { MAX_INDEX_DEPTH, SignatureVerificationError, verifyImage, verifyLegacy } from "../../../lib/cosign/verifyImage";
import { OCI_INDEX, OCI_MANIFEST } from "../../../lib/oci/mediaTypes";
import { digestTag } from "../../../lib/oci/reference";
import { FakeRegistry } from "../fakeRegistry";
import { reasonClass, type FuzzTarget, type Outcome } from "../harness";
import { flipBit, jsonValueArb, mutateText, mutationArb, type Mutation } from "../mutate";
import { cosignSeed } from "../seeds";

const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A P-256 key made for this run: generated payloads are signed with it. */
let ownKey: { privateKey: KeyObject; pem: string } | undefined;
function fuzzKey() {
    if (!ownKey) {
        const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        ownKey = { privateKey, pem: publicKey.export({ type: "spki", format: "pem" }).toString() };
    }
    return ownKey;
}
const signPayload = (payload: Buffer) => sign("sha256", payload, fuzzKey().privateKey).toString("base64");

/** What the simple-signing payload names, read independently of verifyImage: the oracle. */
function namedDigest(payload: Buffer): unknown {
    try {
        const value = JSON.parse(payload.toString("utf8")) as unknown;
        const critical = value !== null && typeof value === "object" ? (value as { critical?: unknown }).critical : undefined;
        const image = critical !== null && typeof critical === "object" ? (critical as { image?: unknown }).image : undefined;
        return image !== null && typeof image === "object" ? (image as Record<string, unknown>)["docker-manifest-digest"] : undefined;
    } catch {
        return undefined;
    }
}

type SigEdit = { kind: "same" } | { kind: "flip"; bit: number } | { kind: "truncate"; keep: number } | { kind: "replace"; text: string };
const sigEditArb: fc.Arbitrary<SigEdit> = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: "same" as const }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("flip" as const), bit: fc.nat() }) },
    fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat({ max: 100 }) }),
    fc.record({ kind: fc.constant("replace" as const), text: fc.oneof(fc.base64String({ maxLength: 100 }), fc.string({ maxLength: 20 })) }),
);
const editSignature = (sig: string, e: SigEdit) =>
    e.kind === "same" ? sig : e.kind === "flip" ? flipBit(sig, e.bit) : e.kind === "truncate" ? sig.slice(0, e.keep % (sig.length + 1)) : e.text;

type LegacyCase =
    | { kind: "mutated"; payload: Mutation; signature: SigEdit; digest: "same" | "other"; key: "cosign" | "other" }
    | { kind: "generated"; payload: Buffer; names: "subject" | "other"; signature: SigEdit };

/** Payloads signed with our key: well-formed, type-confused, and not JSON at all. */
const generatedPayloadArb = (subject: string): fc.Arbitrary<{ payload: Buffer; names: "subject" | "other" }> =>
    fc.constantFrom("subject" as const, "other" as const).chain((names) => {
        const digest = names === "subject" ? subject : `sha256:${"e".repeat(64)}`;
        const named = fc.oneof(fc.constant(digest), jsonValueArb);
        const structured = fc.record(
            {
                critical: fc.oneof(
                    fc.record(
                        {
                            identity: fc.record({ "docker-reference": fc.string() }),
                            image: fc.oneof(fc.record({ "docker-manifest-digest": named }), jsonValueArb),
                            type: fc.constantFrom("cosign container image signature", "other"),
                        },
                        { requiredKeys: [] },
                    ),
                    jsonValueArb,
                ),
                optional: jsonValueArb,
            },
            { requiredKeys: [] },
        );
        const text = fc.oneof(
            { weight: 4, arbitrary: structured.map((v) => JSON.stringify(v)) },
            { weight: 2, arbitrary: jsonValueArb.map((v) => JSON.stringify(v)) },
            { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
        );
        return text.map((t) => ({ payload: Buffer.from(t), names }));
    });

export const simpleSigning: FuzzTarget<LegacyCase> = (() => {
    let seed: { payload: Buffer; signature: string; digest: string; key: string } | undefined;
    return {
        name: "simple-signing (.sig layer)",
        about: "cosign's legacy payload + signature annotation from a real `cosign sign --key`, mutated; and generated payloads signed with a key of the run's own",
        arbitrary() {
            const payload = cosignSeed("simple-signing.json");
            seed = {
                payload,
                signature: cosignSeed("simple-signing.sig").toString("utf8").trim(),
                digest: namedDigest(payload) as string,
                key: cosignSeed("cosign.pub").toString("utf8"),
            };
            return fc.oneof(
                {
                    weight: 3,
                    arbitrary: fc.record({
                        kind: fc.constant("mutated" as const),
                        payload: mutationArb,
                        signature: sigEditArb,
                        digest: fc.constantFrom("same" as const, "same" as const, "other" as const),
                        key: fc.constantFrom("cosign" as const, "cosign" as const, "other" as const),
                    }),
                },
                {
                    weight: 2,
                    arbitrary: fc
                        .record({
                            kind: fc.constant("generated" as const),
                            generated: generatedPayloadArb(seed.digest),
                            signature: fc.oneof({ weight: 4, arbitrary: fc.constant({ kind: "same" as const }) }, { weight: 1, arbitrary: sigEditArb }),
                        })
                        .map(({ generated, signature }) => ({ kind: "generated" as const, ...generated, signature })),
                },
            );
        },
        run(input): Outcome {
            const s = seed!;
            if (input.kind === "mutated") {
                const payload = mutateText(s.payload, input.payload);
                const signature = editSignature(s.signature, input.signature);
                const digest = input.digest === "same" ? s.digest : `sha256:${"e".repeat(64)}`;
                verifyLegacy({ payload, signature }, digest, { publicKey: input.key === "cosign" ? s.key : fuzzKey().pem });
                if (!payload.equals(s.payload) || digest !== s.digest || input.key !== "cosign")
                    return { falseAccept: "a changed payload, digest or key verified" };
                return {
                    accept:
                        signature === s.signature
                            ? "identity"
                            : "same payload and key; the signature text differs (lenient base64 or an equivalent ECDSA encoding)",
                };
            }
            // Signed by the policy's key, so the only question is whether it names this image.
            const signature = editSignature(signPayload(input.payload), input.signature);
            verifyLegacy({ payload: input.payload, signature }, s.digest, { publicKey: fuzzKey().pem });
            if (namedDigest(input.payload) !== s.digest) return { falseAccept: "a signed payload that does not name the image verified" };
            return { accept: "generated payload naming the image, signed by the key" };
        },
        typed: (error): error is Error => error instanceof SignatureVerificationError,
        reasonOf: (error) => reasonClass((error as SignatureVerificationError).reasons[0] ?? error.message),
    };
})();

// ---- verifyImage over index trees ----

type SigState = "good" | "none" | "bad" | "names-other";
type TreeNode = { kind: "image"; sig: SigState } | { kind: "index"; sig: SigState; children: Array<{ node: TreeNode; repeat: number }> };

const sigStateArb = fc.constantFrom<SigState>("good", "good", "good", "good", "good", "none", "bad", "names-other");
/** Trees up to six levels, and sometimes a fan-out bomb: one child listed many times at every level. */
export const treeArb: fc.Arbitrary<TreeNode> = fc.oneof(
    {
        weight: 6,
        arbitrary: fc.letrec<{ node: TreeNode }>((tie) => ({
            node: fc.oneof(
                { depthSize: "small", withCrossShrink: true },
                fc.record({ kind: fc.constant("image" as const), sig: sigStateArb }),
                fc.record({
                    kind: fc.constant("index" as const),
                    sig: sigStateArb,
                    children: fc.array(fc.record({ node: tie("node"), repeat: fc.integer({ min: 1, max: 2 }) }), {
                        minLength: 0,
                        maxLength: 3,
                        depthIdentifier: "tree",
                    }),
                }),
            ),
        })).node,
    },
    {
        weight: 1,
        arbitrary: fc.record({ depth: fc.integer({ min: 2, max: MAX_INDEX_DEPTH + 1 }), fanout: fc.integer({ min: 8, max: 40 }) }).map(({ depth, fanout }) => {
            let node: TreeNode = { kind: "image", sig: "good" };
            for (let i = 0; i < depth; i++) node = { kind: "index", sig: "good", children: [{ node, repeat: fanout }] };
            return node;
        }),
    },
);

const REPO = "fuzz/app";

/** Pushes the tree (each node distinct content) and its `.sig` signatures; returns the top's digest and whether all signatures are good. */
function pushTree(registry: FakeRegistry, node: TreeNode, counter = { n: 0 }): { digest: string; allGood: boolean } {
    const id = counter.n++;
    let bytes: Buffer;
    let allGood = node.sig === "good";
    if (node.kind === "image") {
        const config = registry.addBlob(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { n: String(id) } } })));
        bytes = Buffer.from(
            JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: 1 },
                layers: [],
            }),
        );
    } else {
        const children = node.children.map((c) => ({ ...pushTree(registry, c.node, counter), repeat: c.repeat }));
        allGood &&= children.every((c) => c.allGood);
        const manifests = children.flatMap((c) =>
            Array.from({ length: c.repeat }, () => ({ mediaType: OCI_MANIFEST, digest: c.digest, size: 1, platform: { architecture: "amd64", os: "linux" } })),
        );
        bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, annotations: { n: String(id) } }));
    }
    const digest = registry.addManifest(REPO, bytes, node.kind === "image" ? OCI_MANIFEST : OCI_INDEX);
    if (node.sig !== "none") {
        const payload = Buffer.from(
            JSON.stringify({
                critical: {
                    identity: { "docker-reference": REPO },
                    image: { "docker-manifest-digest": node.sig === "names-other" ? sha256("other") : digest },
                    type: "cosign container image signature",
                },
                optional: null,
            }),
        );
        const signature = node.sig === "bad" ? flipBit(signPayload(payload), 9) : signPayload(payload);
        const layer = registry.addBlob(payload);
        const sig = Buffer.from(
            JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: registry.addBlob(Buffer.from("{}")), size: 2 },
                layers: [{ mediaType: SIMPLE_SIGNING, digest: layer, size: payload.length, annotations: { [SIGNATURE_ANNOTATION]: signature } }],
            }),
        );
        registry.addManifest(REPO, sig, OCI_MANIFEST, digestTag(digest, ".sig"));
    }
    return { digest, allGood };
}

export const verificationTrees: FuzzTarget<TreeNode> = {
    name: "verifyImage (index trees)",
    about: "generated images and nested indexes (repeated children, fan-out bombs, depth past the limit), each with a good, missing, broken or misdirected .sig signature, verified by verifyImage against an in-memory registry",
    arbitrary: () => treeArb,
    async run(tree): Promise<Outcome> {
        const registry = new FakeRegistry();
        const { digest, allGood } = pushTree(registry, tree);
        const unbounded = { unbounded: "over the fake registry's request budget for one verification" };
        try {
            await verifyImage(registry.client, REPO, digest, { publicKey: fuzzKey().pem });
        } catch (error) {
            if (registry.exhausted) return unbounded;
            throw error;
        }
        if (registry.exhausted) return unbounded;
        if (!allGood) return { falseAccept: "a tree with a missing, broken or misdirected signature verified" };
        return { accept: "every manifest signed" };
    },
    typed: (error): error is Error => error instanceof SignatureVerificationError,
    reasonOf: (error) => {
        const reasons = (error as SignatureVerificationError).reasons.join(" | ");
        return /nest deeper/.test(reasons)
            ? "indexes nest too deep"
            : /no signature found/.test(reasons)
              ? "a manifest has no signature"
              : /does not verify/.test(reasons)
                ? "a signature does not verify"
                : /signed payload is for/.test(reasons)
                  ? "a signature names another digest"
                  : reasons.slice(0, 80);
    },
};
