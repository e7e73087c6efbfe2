// What registries send (manifests, indexes, referrer lists, tag lists, error bodies, auth
// challenges) and image references. Each accepted value is checked by an oracle written apart
// from the code under test (a zod schema, the distribution reference grammar), so "parsed"
// means "has the shape every caller relies on".
import fc from "fast-check";
import { z } from "zod";
import { registryErrorCode } from "../../../lib/oci/errors";
import { parseChallenge } from "../../../lib/oci/auth";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "../../../lib/oci/mediaTypes";
import { MalformedContentError, nextPage, parseManifest, parseTagList, parseToken, uploadLocation } from "../../../lib/oci/parse";
import { formatReference, parseReference, parseRepository } from "../../../lib/oci/reference";
import type { FuzzTarget, Outcome } from "../harness";
import { DICTIONARY, jsonValueArb, mutateText, mutationArb, type Json, type Mutation } from "../mutate";
import { cosignSeed } from "../seeds";

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const digestArb = fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`) },
    {
        weight: 1,
        arbitrary: fc.constantFrom(
            "sha256:",
            `sha512:${"a".repeat(128)}`,
            `sha256:${"A".repeat(64)}`,
            `sha256:${"a".repeat(63)}`,
            `sha256:${"a".repeat(64)}\n`,
        ),
    },
);

// ---- manifests, indexes, referrer lists ----

const stringMap = z.record(z.string(), z.string());
const descriptorSchema = z.object({
    mediaType: z.string(),
    digest: z.string().regex(DIGEST_RE),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    artifactType: z.string().optional(),
    annotations: stringMap.optional(),
    platform: z.object({ architecture: z.string(), os: z.string() }).optional(),
});
/** The oracle: what callers of a parsed manifest rely on (lists may be absent or null). */
const manifestSchema = z.object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    config: descriptorSchema.optional(),
    subject: descriptorSchema.optional(),
    layers: z.array(descriptorSchema).nullable().optional(),
    manifests: z.array(descriptorSchema).nullable().optional(),
    annotations: stringMap.optional(),
});

const descriptorArb = fc.record(
    {
        mediaType: fc.oneof(fc.constantFrom(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, "application/vnd.oci.image.layer.v1.tar"), jsonValueArb),
        digest: fc.oneof({ weight: 5, arbitrary: digestArb }, { weight: 1, arbitrary: jsonValueArb }),
        size: fc.oneof({ weight: 5, arbitrary: fc.nat() }, { weight: 1, arbitrary: jsonValueArb }),
        artifactType: fc.oneof(fc.string(), jsonValueArb),
        annotations: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), jsonValueArb),
        platform: fc.oneof(fc.record({ architecture: fc.constantFrom("amd64", "unknown"), os: fc.constantFrom("linux", "unknown") }), jsonValueArb),
    },
    { requiredKeys: ["digest"] },
);
/** Manifests and indexes built from parts, right and wrong. */
const generatedManifestArb = fc
    .record(
        {
            schemaVersion: fc.oneof({ weight: 5, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: jsonValueArb }),
            mediaType: fc.oneof(fc.constantFrom(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST), jsonValueArb),
            artifactType: fc.string(),
            config: fc.oneof({ weight: 3, arbitrary: descriptorArb }, { weight: 1, arbitrary: jsonValueArb }),
            subject: descriptorArb,
            layers: fc.oneof({ weight: 3, arbitrary: fc.array(descriptorArb, { maxLength: 3 }) }, { weight: 1, arbitrary: jsonValueArb }),
            manifests: fc.oneof({ weight: 3, arbitrary: fc.array(descriptorArb, { maxLength: 3 }) }, { weight: 1, arbitrary: jsonValueArb }),
            annotations: fc.oneof(
                fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), jsonValueArb), { maxKeys: 3 }),
                jsonValueArb,
            ),
        },
        { requiredKeys: ["schemaVersion"] },
    )
    .map((m) => Buffer.from(JSON.stringify(m)));

/** A buildx-shaped index (two platforms and their attestation manifests) and a Docker manifest list. */
function inlineSeeds(): Buffer[] {
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const attestation = (of: string, c: string) => ({
        mediaType: OCI_MANIFEST,
        digest: d(c),
        size: 840,
        annotations: { "vnd.docker.reference.digest": of, "vnd.docker.reference.type": "attestation-manifest" },
        platform: { architecture: "unknown", os: "unknown" },
    });
    const buildx = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
            { mediaType: OCI_MANIFEST, digest: d("a"), size: 1000, platform: { architecture: "amd64", os: "linux" } },
            { mediaType: OCI_MANIFEST, digest: d("b"), size: 1000, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
            attestation(d("a"), "c"),
            attestation(d("b"), "e"),
        ],
    };
    const dockerList = {
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST_LIST,
        manifests: [{ mediaType: DOCKER_MANIFEST, digest: d("f"), size: 525, platform: { architecture: "amd64", os: "linux" } }],
    };
    return [buildx, dockerList].map((v) => Buffer.from(JSON.stringify(v, null, 2)));
}

type ManifestCase = { kind: "mutated"; seed: number; mutation: Mutation } | { kind: "generated"; bytes: Buffer };

function manifestTarget(name: string, about: string, what: string, seedFiles: string[], inline: () => Buffer[]): FuzzTarget<ManifestCase> {
    let seeds: Buffer[] = [];
    let donors: Json[] = [];
    return {
        name,
        about,
        arbitrary() {
            seeds = [...seedFiles.map(cosignSeed), ...inline()];
            donors = seeds.map((s) => JSON.parse(s.toString("utf8")) as Json);
            return fc.oneof(
                { weight: 3, arbitrary: fc.record({ kind: fc.constant("mutated" as const), seed: fc.nat(), mutation: mutationArb }) },
                { weight: 1, arbitrary: generatedManifestArb.map((bytes) => ({ kind: "generated" as const, bytes })) },
            );
        },
        run(input): Outcome {
            const bytes = input.kind === "generated" ? input.bytes : mutateText(seeds[input.seed % seeds.length]!, input.mutation, donors);
            const manifest = parseManifest(bytes, what);
            const oracle = manifestSchema.safeParse(JSON.parse(bytes.toString("utf8")));
            if (!oracle.success) return { falseAccept: `parsed, but ${oracle.error.issues[0]!.path.join(".")}: ${oracle.error.issues[0]!.message}` };
            // What callers then do with it must not throw.
            for (const d of [...(manifest.manifests ?? []), ...(manifest.layers ?? [])])
                void `${d.digest.slice(0, 19)} ${d.platform ? `${d.platform.os}/${d.platform.architecture}` : ""} ${d.annotations?.["vnd.docker.reference.type"] ?? ""}`;
            return {
                accept: input.kind === "generated" ? "generated, well-formed" : input.mutation.kind === "identity" ? "identity" : "mutated, still well-formed",
            };
        },
        typed: (error): error is Error => error instanceof MalformedContentError,
    };
}

export const manifests = manifestTarget(
    "OCI manifest / index",
    "real manifests (an image, cosign's bundle and .sig manifests), a buildx index and a Docker manifest list, mutated; and manifests generated from right and wrong parts",
    "manifest",
    ["subject.json", "bundle-manifest.json", "sig-manifest.json"],
    inlineSeeds,
);

export const referrerLists = manifestTarget(
    "OCI referrers list",
    "olareg's referrers API answer and distribution's sha256-<hex> fallback index for a real cosign signature, mutated; and generated indexes",
    "referrers list",
    ["referrers-list.json", "fallback-index.json"],
    () => [],
);

// ---- tag lists ----

/** The distribution spec's tag grammar: what a registry may list. */
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

type TagCase = { kind: "mutated"; mutation: Mutation } | { kind: "generated"; body: Json } | { kind: "link"; header: string };

const PAGE = new URL("https://registry.example.org:5000/v2/fuzz/app/tags/list?n=2");
/** Link headers: the relative and absolute next pages registries send, other origins, and junk. */
const linkArb = fc
    .tuple(
        fc.oneof(
            fc.constantFrom(
                "/v2/fuzz/app/tags/list?n=2&last=v1",
                "https://registry.example.org:5000/v2/fuzz/app/tags/list?last=b",
                "https://evil.example/v2/x",
                "http://registry.example.org:5000/v2/x",
                "//evil.example/x",
                "http://[",
                "https://registry.example.org:5000@evil.example/",
                "tags/list?last=z",
                "",
            ),
            fc.webUrl(),
            fc.string({ unit: "binary-ascii", maxLength: 20 }),
        ),
        fc.constantFrom('; rel="next"', "; rel=next", ';rel="next"', '; rel="prev"', ""),
    )
    .map(([target, rel]) => `<${target}>${rel}`);

export const tagLists: FuzzTarget<TagCase> = (() => {
    let seed = Buffer.alloc(0);
    return {
        name: "OCI tag list",
        about: "olareg's tag list for a signed image (with cosign's sha256-<hex>.sig tag), mutated; generated {name, tags} bodies with valid, invalid and path-like tags; Link headers naming the next page",
        arbitrary() {
            seed = cosignSeed("tag-list.json");
            const tag = fc.oneof(
                fc.stringMatching(TAG_RE),
                fc.constantFrom("../../other/manifests/x", "a/b", "", " ", "v1?x=1", "a".repeat(129), "sha256-x.sig"),
                fc.string({ unit: "binary", maxLength: 10 }),
                jsonValueArb,
            );
            return fc.oneof(
                {
                    weight: 1,
                    arbitrary: fc.record({ kind: fc.constant("link" as const), header: fc.oneof(linkArb, fc.string({ unit: "binary", maxLength: 40 })) }),
                },
                { weight: 1, arbitrary: fc.record({ kind: fc.constant("mutated" as const), mutation: mutationArb }) },
                {
                    weight: 1,
                    arbitrary: fc.record({
                        kind: fc.constant("generated" as const),
                        body: fc.oneof(
                            {
                                weight: 4,
                                arbitrary: fc.record(
                                    {
                                        name: fc.constant("fuzz/app"),
                                        tags: fc.oneof({ weight: 4, arbitrary: fc.array(tag, { maxLength: 5 }) }, { weight: 1, arbitrary: jsonValueArb }),
                                    },
                                    { requiredKeys: [] },
                                ),
                            },
                            { weight: 1, arbitrary: jsonValueArb },
                        ),
                    }),
                },
            );
        },
        run(input): Outcome {
            if (input.kind === "link") {
                const next = nextPage(input.header, PAGE);
                if (next && next.origin !== PAGE.origin) return { falseAccept: `the next page leaves the registry for ${next.origin}` };
                return { accept: next ? "a next page on the registry" : "the last page" };
            }
            const bytes = input.kind === "mutated" ? mutateText(seed, input.mutation) : Buffer.from(JSON.stringify(input.body));
            const tags = parseTagList(bytes);
            const bad = tags.find((t) => typeof t !== "string" || !TAG_RE.test(t));
            if (bad !== undefined)
                return { falseAccept: `listed ${JSON.stringify(bad)?.slice(0, 40)}, which is not a tag (a request path built from it reaches elsewhere)` };
            return { accept: tags.length ? "tags" : "no tags" };
        },
        typed: (error): error is Error => error instanceof MalformedContentError,
    };
})();

// ---- error bodies, auth challenges, token answers ----

type AnswerCase =
    { kind: "error-body"; body: string } | { kind: "challenge"; header: string } | { kind: "token"; body: string } | { kind: "location"; header: string };
const jsonText = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 4, arbitrary: arb.map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) });

export const registryAnswers: FuzzTarget<AnswerCase> = {
    name: "registry error bodies / auth answers",
    about: "distribution-spec error bodies, WWW-Authenticate challenges, token-service answers and upload Location headers, generated around their real shapes",
    arbitrary: () =>
        fc.oneof(
            fc.record({
                kind: fc.constant("error-body" as const),
                body: jsonText(
                    fc.record(
                        {
                            errors: fc.oneof(
                                fc.array(
                                    fc.record(
                                        {
                                            code: fc.oneof(fc.constantFrom("MANIFEST_UNKNOWN", "DENIED"), jsonValueArb),
                                            message: fc.oneof(fc.string(), jsonValueArb),
                                            detail: jsonValueArb,
                                        },
                                        { requiredKeys: [] },
                                    ),
                                    { maxLength: 2 },
                                ),
                                jsonValueArb,
                            ),
                        },
                        { requiredKeys: [] },
                    ),
                ),
            }),
            fc.record({
                kind: fc.constant("challenge" as const),
                header: fc.oneof(
                    fc
                        .tuple(
                            fc.constantFrom("Bearer", "Basic", "bearer", "", "Digest"),
                            fc.array(
                                fc.tuple(fc.constantFrom("realm", "service", "scope", "error", "__proto__", "constructor"), fc.string({ maxLength: 30 })),
                                { maxLength: 4 },
                            ),
                        )
                        .map(([s, ps]) => `${s} ${ps.map(([k, v]) => `${k}="${v}"`).join(",")}`),
                    fc.string({ unit: "binary", maxLength: 60 }),
                ),
            }),
            fc.record({
                kind: fc.constant("token" as const),
                body: jsonText(fc.record({ token: jsonValueArb, access_token: jsonValueArb, expires_in: jsonValueArb }, { requiredKeys: [] })),
            }),
            fc.record({
                kind: fc.constant("location" as const),
                header: fc.oneof(
                    fc.constantFrom("/v2/fuzz/app/blobs/uploads/5f3c?_state=x", "http://[", "http://registry:99999/", "//", "\u0000"),
                    fc.webUrl(),
                    fc.string({ unit: "binary", maxLength: 30 }),
                ),
            }),
        ),
    run(input): Outcome {
        if (input.kind === "error-body") {
            const { code, message } = registryErrorCode(input.body);
            if ((code !== undefined && typeof code !== "string") || (message !== undefined && typeof message !== "string"))
                return { falseAccept: "an error code or message that is not a string reached RegistryError" };
            return { accept: code ? "error code read" : "no error code" };
        }
        if (input.kind === "location") {
            const url = uploadLocation(input.header, "https://registry.example.org:5000");
            return {
                accept:
                    url.origin === "https://registry.example.org:5000"
                        ? "an upload URL on the registry"
                        : "an upload URL elsewhere (distribution may hand out its storage's)",
            };
        }
        if (input.kind === "challenge") {
            const challenge = parseChallenge(input.header);
            if (
                challenge &&
                (typeof challenge.scheme !== "string" ||
                    Object.values(challenge.params).some((v) => typeof v !== "string") ||
                    Object.getPrototypeOf(challenge.params) !== Object.prototype)
            )
                return { falseAccept: "a challenge parameter that is not a string" };
            return { accept: challenge?.params.realm ? "challenge with a realm" : "challenge without a realm" };
        }
        const token = parseToken(Buffer.from(input.body));
        if (token !== undefined && (typeof token !== "string" || token === "")) return { falseAccept: "a token that is not a non-empty string" };
        return { accept: token ? "token" : "no token" };
    },
    typed: (error): error is Error => error instanceof MalformedContentError,
};

// ---- image references ----

/** The distribution reference grammar (docker/distribution reference/regexp.go), sha256 digests, and Slipway's rule that the registry is explicit. */
const DOMAIN = String.raw`(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const REFERENCE_RE = new RegExp(String.raw`^(${DOMAIN})/(${COMPONENT}(?:/${COMPONENT})*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`);
const explicitRegistry = (host: string) => (/[.:]/.test(host) || host === "localhost") && Number(/:(\d+)$/.exec(host)?.[1] ?? 0) <= 65535;

const REF_SEEDS = [
    "registry.example.org/apps/web:staging",
    `127.0.0.1:5000/fuzz/app@sha256:${"ab".repeat(32)}`,
    `localhost/a/b/c:v1.2.3@sha256:${"0".repeat(64)}`,
    "[::1]:5000/x__y/z--w:latest",
    "ghcr.io/owner/repo.with.dots_and_under:tag-1",
];

type RefCase =
    | { kind: "mutated"; seed: number; edits: Array<{ at: number; text: string; cut: number }> }
    | { kind: "built"; parts: string[] }
    | { kind: "random"; text: string };

const refPart = fc.oneof(
    fc.constantFrom(
        "registry.example.org",
        "localhost",
        "127.0.0.1:5000",
        "[::1]:5000",
        "Registry.Example.ORG:443",
        "a b.c",
        "host:port",
        "ex@mple.com",
        "a..b",
        "-x.org",
        "[zz]:1",
        "h.org:99999999999",
        "h.org:",
    ),
    fc.constantFrom("/", ":", "@", "sha256:", `sha256:${"c".repeat(64)}`, "apps", "web", "a.b", "a__b", "a___b", "A", "x-", "..", "latest", "v1.0"),
    fc.string({ unit: "binary-ascii", maxLength: 6 }),
);

export const imageReferences: FuzzTarget<RefCase> = {
    name: "image reference",
    about: "parseReference and parseRepository over valid references edited character by character, references built from right and wrong parts, and random text",
    arbitrary: () =>
        fc.oneof(
            fc.record({
                kind: fc.constant("mutated" as const),
                seed: fc.nat(),
                edits: fc.array(
                    fc.record({
                        at: fc.nat(),
                        text: fc.oneof(fc.string({ unit: "binary-ascii", maxLength: 3 }), fc.constantFrom(...DICTIONARY)),
                        cut: fc.nat({ max: 3 }),
                    }),
                    { minLength: 0, maxLength: 3 },
                ),
            }),
            fc.record({ kind: fc.constant("built" as const), parts: fc.array(refPart, { minLength: 1, maxLength: 6 }) }),
            fc.record({ kind: fc.constant("random" as const), text: fc.string({ unit: "binary", maxLength: 80 }) }),
        ),
    run(input): Outcome {
        let text: string;
        if (input.kind === "mutated") {
            text = REF_SEEDS[input.seed % REF_SEEDS.length]!;
            for (const e of input.edits) {
                const at = e.at % (text.length + 1);
                text = text.slice(0, at) + e.text + text.slice(at + e.cut);
            }
        } else text = input.kind === "built" ? input.parts.join("") : input.text;
        // A repository is a reference without tag or digest; both parsers share the grammar.
        const asRepository = (() => {
            try {
                return parseRepository(text);
            } catch (error) {
                if (isReferenceError(error)) return undefined;
                throw error;
            }
        })();
        if (asRepository) {
            const m = REFERENCE_RE.exec(`${text}:t`);
            if (
                !m ||
                m[1] !== asRepository.registry ||
                m[2] !== asRepository.repository ||
                !explicitRegistry(asRepository.registry) ||
                `${asRepository.registry}/${asRepository.repository}` !== text
            )
                return { falseAccept: `parseRepository accepted ${JSON.stringify(text)}, outside the grammar` };
        }
        const ref = parseReference(text);
        const m = REFERENCE_RE.exec(text);
        if (
            !m ||
            !explicitRegistry(ref.registry) ||
            m[1] !== ref.registry ||
            m[2] !== ref.repository ||
            (m[3] ?? undefined) !== ref.tag ||
            (m[4] ?? undefined) !== ref.digest ||
            !(ref.tag || ref.digest)
        )
            return { falseAccept: `parseReference accepted ${JSON.stringify(text)} as ${JSON.stringify(ref)}, outside the grammar` };
        if (formatReference(ref) !== text) return { falseAccept: `${JSON.stringify(text)} does not format back to itself` };
        return { accept: ref.digest ? (ref.tag ? "tag and digest" : "digest") : "tag" };
    },
    typed: (error): error is Error => isReferenceError(error),
    reasonOf: (error) => {
        // `"<text>" is not an image reference (<why>); expected …`: the text may hold anything, so the why is found from the end.
        const m = error.message;
        const end = m.lastIndexOf("); expected");
        const start = m.lastIndexOf(end >= 0 ? " is not an image reference (" : " is not a repository (", end >= 0 ? end : undefined);
        const why = start >= 0 ? m.slice(m.indexOf("(", start) + 1, end >= 0 ? end : m.lastIndexOf(")")) : m;
        return why.replace(/"[^"]*"/g, '"…"').slice(0, 90);
    },
};

/** parseReference's contract: a plain Error saying the text is not an image reference (or repository), and why. */
function isReferenceError(error: unknown): error is Error {
    return error instanceof Error && error.constructor === Error && /is not an image reference|is not a repository/.test(error.message);
}
