// The revision label gate of promote(), against an in-memory registry: (1) a real image config
// (from the cosign capture) mutated, against expected revisions near the real one; (2) generated
// index trees shaped like buildx's (images, attestation manifests, nested indexes, repeated
// children) where any image could be unlabelled. The oracle: promotion succeeds only if every
// image a runtime could pull carries exactly the expected revision.
import fc from "fast-check";
import { OCI_INDEX, OCI_MANIFEST } from "../../../lib/oci/mediaTypes";
import { PromotionError, promote, REVISION_LABEL, MAX_INDEX_DEPTH } from "../../../lib/promotion/promote";
import { RegistryError } from "../../../lib/oci/errors";
import { FakeRegistry } from "../fakeRegistry";
import type { FuzzTarget, Outcome } from "../harness";
import { mutateText, mutationArb, type Mutation } from "../mutate";
import { cosignSeed } from "../seeds";

const SOURCE = { repository: "staging/app", tag: "v1" };
const TARGET = { repository: "prod/app", tag: "v1" };

/** Pushes an image whose config is `config` (any bytes); returns its digest. */
function pushImage(registry: FakeRegistry, config: Buffer | undefined, salt: number, tag?: string): string {
    const configDescriptor = config
        ? { config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: registry.addBlob(config), size: config.length } }
        : {};
    const bytes = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, ...configDescriptor, layers: [], annotations: { salt: String(salt) } }),
    );
    return registry.addManifest(SOURCE.repository, bytes, OCI_MANIFEST, tag);
}

/** The label the config carries, read apart from promote(): the oracle. */
function labelIn(config: Buffer | undefined): unknown {
    if (!config) return undefined;
    try {
        const value = JSON.parse(config.toString("utf8")) as unknown;
        const c = value !== null && typeof value === "object" ? (value as { config?: unknown }).config : undefined;
        const labels = c !== null && typeof c === "object" ? (c as { Labels?: unknown }).Labels : undefined;
        return labels !== null && typeof labels === "object" && Object.hasOwn(labels, REVISION_LABEL)
            ? (labels as Record<string, unknown>)[REVISION_LABEL]
            : undefined;
    } catch {
        return undefined;
    }
}

const promotionTyped = (error: unknown): error is Error => error instanceof PromotionError || error instanceof RegistryError;
const promotionReason = (error: Error) =>
    error instanceof PromotionError
        ? `${error.failure}: ${error.message
              .replace(/^.*?: /s, "")
              .replace(/\b[a-f0-9]{12}…/g, "<digest>")
              .replace(/sha256:[a-f0-9]{64}/g, "<digest>")
              .split("\n")[0]!
              .replace(/\d+ of \d+/, "N of M")
              .slice(0, 90)}`
        : `registry: ${error.message.slice(0, 60)}`;

// ---- one image: its config mutated ----

type ExpectedEdit = "same" | "upper" | "short" | "extra" | "space" | "empty" | "flip";
const editExpected = (sha: string, e: ExpectedEdit) =>
    e === "same"
        ? sha
        : e === "upper"
          ? sha.toUpperCase()
          : e === "short"
            ? sha.slice(0, 12)
            : e === "extra"
              ? `${sha}0`
              : e === "space"
                ? ` ${sha}`
                : e === "empty"
                  ? " "
                  : `${sha.slice(0, 20)}${sha[20] === "a" ? "b" : "a"}${sha.slice(21)}`;

interface LabelCase {
    config: Mutation;
    expected: ExpectedEdit;
}

export const revisionLabel: FuzzTarget<LabelCase> = (() => {
    let seed = Buffer.alloc(0);
    let revision = "";
    return {
        name: "revision label (promote)",
        about: "the config of a real image (label org.opencontainers.image.revision) mutated as JSON and bytes, promoted against the real revision and near misses (case, prefix, one character, whitespace)",
        arbitrary() {
            seed = cosignSeed("config.json");
            revision = labelIn(seed) as string;
            return fc.record({
                config: mutationArb,
                expected: fc.constantFrom<ExpectedEdit>("same", "same", "same", "upper", "short", "extra", "space", "empty", "flip"),
            });
        },
        async run(input): Promise<Outcome> {
            const registry = new FakeRegistry();
            const config = mutateText(seed, input.config);
            pushImage(registry, config, 0, SOURCE.tag);
            const expected = editExpected(revision, input.expected);
            await promote(registry.client, SOURCE, TARGET, expected);
            const label = labelIn(config);
            if (typeof label !== "string" || label !== expected || !expected.trim())
                return { falseAccept: `promoted with label ${JSON.stringify(label)?.slice(0, 50)} against ${JSON.stringify(expected)}` };
            return { accept: config.equals(seed) ? "identity" : "config changed elsewhere, label intact" };
        },
        typed: promotionTyped,
        reasonOf: promotionReason,
    };
})();

// ---- index trees ----

type Label = "good" | "missing" | "wrong" | "not-string" | "no-config";
type Platform = "linux/amd64" | "linux/arm64" | "unknown/unknown" | "none";
type Annotation = "none" | "attestation-of-sibling" | "attestation-of-stranger";
type PNode = { kind: "image"; label: Label } | { kind: "index"; children: PChild[] };
interface PChild {
    node: PNode;
    platform: Platform;
    annotate: Annotation;
    sibling: number;
    repeat: number;
}

const labelArb = fc.constantFrom<Label>("good", "good", "good", "good", "missing", "wrong", "not-string", "no-config");
const childFields = {
    platform: fc.constantFrom<Platform>("linux/amd64", "linux/arm64", "unknown/unknown", "none"),
    annotate: fc.constantFrom<Annotation>("none", "none", "attestation-of-sibling", "attestation-of-stranger"),
    sibling: fc.nat(),
    repeat: fc.integer({ min: 1, max: 2 }),
};

const pnodeArb: fc.Arbitrary<PNode> = fc.oneof(
    {
        weight: 6,
        arbitrary: fc.letrec<{ node: PNode }>((tie) => ({
            node: fc.oneof(
                { depthSize: "small", withCrossShrink: true },
                fc.record({ kind: fc.constant("image" as const), label: labelArb }),
                fc.record({
                    kind: fc.constant("index" as const),
                    children: fc.array(fc.record({ node: tie("node"), ...childFields }), { minLength: 0, maxLength: 4, depthIdentifier: "ptree" }),
                }),
            ),
        })).node,
    },
    {
        weight: 1,
        // A fan-out bomb: one child listed many times at every level.
        arbitrary: fc.record({ depth: fc.integer({ min: 2, max: MAX_INDEX_DEPTH }), fanout: fc.integer({ min: 8, max: 40 }) }).map(({ depth, fanout }) => {
            let node: PNode = { kind: "image", label: "good" };
            for (let i = 0; i < depth; i++)
                node = { kind: "index", children: [{ node, platform: "linux/amd64", annotate: "none", sibling: 0, repeat: fanout }] };
            return node;
        }),
    },
);

const REV = "0123456789abcdef0123456789abcdef01234567";
const configFor = (label: Label) =>
    label === "no-config"
        ? undefined
        : Buffer.from(
              JSON.stringify({
                  architecture: "amd64",
                  os: "linux",
                  config: { Labels: label === "missing" ? {} : { [REVISION_LABEL]: label === "good" ? REV : label === "wrong" ? REV.replace("0", "f") : 7 } },
              }),
          );

/** Pushes the tree; returns the top's digest and whether every image a runtime could pull carries REV. */
function pushPTree(registry: FakeRegistry, node: PNode, counter: { n: number }, tag?: string): { digest: string; safe: boolean } {
    const id = counter.n++;
    if (node.kind === "image") return { digest: pushImage(registry, configFor(node.label), id, tag), safe: node.label === "good" };
    const children = node.children.map((c) => ({ c, ...pushPTree(registry, c.node, counter) }));
    // A runtime pulls a child whose platform is absent (containerd matches it to any) or real; never unknown/unknown.
    const safe = children.every(({ c, safe }) => safe || c.platform === "unknown/unknown");
    const manifests = children.flatMap(({ c, digest }) => {
        const images = children.filter((x) => x.c.annotate === "none");
        const of = c.annotate === "attestation-of-sibling" && images.length ? images[c.sibling % images.length]!.digest : `sha256:${"9".repeat(64)}`;
        const [os, architecture] = c.platform.split("/") as [string, string];
        const descriptor = {
            mediaType: c.node.kind === "image" ? OCI_MANIFEST : OCI_INDEX,
            digest,
            size: 1,
            ...(c.platform === "none" ? {} : { platform: { architecture, os } }),
            ...(c.annotate === "none" ? {} : { annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": of } }),
        };
        return Array.from({ length: c.repeat }, () => descriptor);
    });
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, annotations: { id: String(id) } }));
    return { digest: registry.addManifest(SOURCE.repository, bytes, OCI_INDEX, tag), safe };
}

export const promotionTrees: FuzzTarget<PNode> = {
    name: "revision label (index trees)",
    about: "generated buildx-like indexes (images with good, missing, wrong or non-string labels, attestation manifests of siblings or strangers, with and without platforms, nested indexes, fan-out bombs), promoted",
    arbitrary: () => pnodeArb,
    async run(tree): Promise<Outcome> {
        const registry = new FakeRegistry();
        const { safe } = pushPTree(registry, tree, { n: 0 }, SOURCE.tag);
        const unbounded = { unbounded: "over the fake registry's request budget for one promotion" };
        try {
            await promote(registry.client, SOURCE, TARGET, REV);
        } catch (error) {
            if (registry.exhausted) return unbounded;
            throw error;
        }
        if (registry.exhausted) return unbounded;
        if (!safe) return { falseAccept: "promoted a tree in which a pullable image lacks the revision" };
        return { accept: tree.kind === "image" ? "an image" : "an index tree" };
    },
    typed: promotionTyped,
    reasonOf: promotionReason,
};
