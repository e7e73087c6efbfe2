// The operations the fault matrix drives, each as its provider runs it, through the fault
// proxy: which request each fault hits, a fresh place for one run, and the end state a run
// leaves. Shared by the matrix (test/integration/faults.test.ts) and its request-by-request sweep.
import { expect } from "vitest";
import { RegistryClient, sha256 } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";
import { clientFor } from "../../lib/oci/connect";
import { SignatureVerificationError, verifyImage } from "../../lib/cosign/verifyImage";
import { verifyDigest } from "../../lib/cosign/verifyReference";
import { PromotionError, REVISION_LABEL } from "../../lib/promotion/promote";
import { promoteDigest } from "../../lib/promotion/promoteReference";
import { CREATED, type RetentionOptions } from "../../lib/retention/plan";
import { planFor, retain } from "../../lib/retention/retainReference";
import { scanRepository } from "../../lib/retention/registry";
import { MirrorError, mirrorReference } from "../../lib/mirror/mirrorImage";
import { declareRepository, markerManifest, RepositoryDeclarationError, undeclareRepository, withRepository } from "../../lib/repository/declareRepository";
import { publish, publicationTag, type PublishChild, type PublishRequest } from "../../lib/diskimage/publish";
import { cosignKeys, cosignSign, type CosignKeys } from "./cosign";
import { cloneRepository, endState, syntheticBuild } from "./faultFixtures";
import { startFaultProxy, type FaultKind, type FaultProxy, type FaultRule } from "./faultProxy";
import { pushImage, pushIndex } from "./images";
import { startRegistry, type RunningRegistry } from "./registries";

export const SHA = "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f";
const GROUP = ["dev.slipway.platform", "dev.slipway.family"];
const RETENTION: RetentionOptions = { groupBy: GROUP, keep: 1, maxDeletes: 100 };
/** Short enough that a stall costs 2 s, long enough for any honest loopback request. */
export const DEADLINE_SECONDS = "2";

/** Faults on the answer's status and timing, and faults on the bytes themselves. */
export const BODY_FAULTS: readonly FaultKind[] = ["truncate", "wrong-digest"];

/** Everything one registry's cells share: the registry, the proxy in front of it, fixtures. */
export interface Bench {
    registry: RunningRegistry;
    proxy: FaultProxy;
    /** Straight to the registry: fixtures and end states, never faulted. */
    direct: RegistryClient;
    keys: CosignKeys;
    /** A signed 2-arch index in staging/node:v1 (promotion and verification read it). */
    staged: { digest: string; tree: string[] };
    /** Signed publications in retention/template: 2 groups × 3, keep 1. */
    template: string[];
    /** An unsigned 2-arch index in upstream/node:22 (what mirrors copy). */
    upstream: { digest: string; tree: string[] };
    builds: PublishChild[];
}

export interface Operation<C> {
    name: string;
    /** The request each fault hits: the one whose failure matters most to this operation. */
    target(bench: Bench, ctx: C, fault: FaultKind): Omit<FaultRule, "kind">;
    /** A fresh place for one run (`slot` names it). */
    prepare(bench: Bench, slot: string): Promise<C>;
    /** The operation as its provider runs it, through the proxy. */
    run(bench: Bench, ctx: C): Promise<unknown>;
    /** Where the run left the registry: equal for a clean run and for a faulted run run again. */
    end(bench: Bench, ctx: C): Promise<unknown>;
    /** Checked after the faulted run, whatever it did. */
    invariant?(bench: Bench, ctx: C): Promise<void>;
    /** The typed errors a failed run may end in. */
    errors: Array<abstract new (...args: never[]) => Error>;
    /** The faults that can reach it (an operation that reads no body cannot be sent a bad one). @default all */
    faults?: readonly FaultKind[];
}

const digestsOf = async (client: RegistryClient, repository: string) =>
    (await scanRepository(client, repository)).publications.flatMap((p) => [p.digest, ...p.children, ...p.referrers]);
const bodyFault = (fault: FaultKind) => BODY_FAULTS.includes(fault);

const verification: Operation<Record<string, never>> = {
    name: "verification",
    // The signature's bundle blob: a registry failure there must not read as a verified image.
    target: () => ({ method: "GET", path: /^\/v2\/staging\/node\/blobs\/sha256:/ }),
    prepare: () => Promise.resolve({}),
    run: (b) => verifyDigest({ reference: `${b.proxy.host}/staging/node:v1`, policy: { publicKey: b.keys.publicKeyPem }, insecure: true }, b.staged.digest),
    end: async (b) => {
        const { signer, digest, children, layout } = await verifyImage(b.direct, "staging/node", b.staged.digest, { publicKey: b.keys.publicKeyPem });
        return { signer, digest, children, layout };
    },
    errors: [RegistryError, SignatureVerificationError],
};

interface PromotionCtx {
    repository: string;
    before: string;
}

const promotion: Operation<PromotionCtx> = {
    name: "promotion",
    // The prod tag's PUT, written last; the bytes of a child read by digest.
    target: (_b, ctx, fault) =>
        bodyFault(fault)
            ? { method: "GET", path: /^\/v2\/staging\/node\/manifests\/sha256:/, nth: 2 }
            : { method: "PUT", path: new RegExp(`^/v2/${ctx.repository}/manifests/current$`) },
    prepare: async (b, slot) => {
        const repository = `prod-${slot}/node`;
        const running = await pushImage(b.direct, repository, "current", "running in prod", { labels: { [REVISION_LABEL]: "0".repeat(40) } });
        return { repository, before: running.digest };
    },
    run: (b, ctx) => promoteDigest(`${b.proxy.host}/staging/node:v1`, b.staged.digest, `${b.proxy.host}/${ctx.repository}:current`, SHA, { insecure: true }),
    end: async (b, ctx) => {
        const state = await endState(b.direct, ctx.repository, [...b.staged.tree, ctx.before]);
        const verified = await verifyImage(b.direct, ctx.repository, b.staged.digest, { publicKey: b.keys.publicKeyPem });
        return { ...state, verified: [verified.digest, ...verified.children] };
    },
    // The prod tag names what it named, or the promoted digest with its whole tree there: never anything else.
    invariant: async (b, ctx) => {
        const now = await b.direct.resolve(ctx.repository, "current");
        expect([ctx.before, b.staged.digest]).toContain(now);
        if (now === b.staged.digest) await verifyImage(b.direct, ctx.repository, now, { publicKey: b.keys.publicKeyPem });
    },
    errors: [PromotionError],
};

const promotionReadBack: Operation<PromotionCtx> = {
    ...promotion,
    name: "promotion, read-back",
    // The target tag read back after it is written: the promotion is confirmed there, or not at all.
    target: (_b, ctx) => ({ method: "GET", path: new RegExp(`^/v2/${ctx.repository}/manifests/current$`) }),
};

interface RetentionCtx {
    repository: string;
    universe: string[];
    previewed: string[];
}

const retention: Operation<RetentionCtx> = {
    name: "retention",
    // A manifest DELETE (the first is the delete probe, so the second); a child read by digest in the scan.
    target: (_b, ctx, fault) =>
        bodyFault(fault)
            ? { method: "GET", path: new RegExp(`^/v2/${ctx.repository}/manifests/sha256:`) }
            : { method: "DELETE", path: new RegExp(`^/v2/${ctx.repository}/manifests/sha256:`), nth: 2 },
    prepare: async (b, slot) => {
        const repository = `retention-${slot}/edge`;
        const universe = await cloneRepository(b.direct, "retention/template", repository);
        const { deletions } = await planFor(`${b.registry.host}/${repository}`, RETENTION, true);
        return { repository, universe, previewed: deletions };
    },
    run: (b, ctx) => retain(`${b.proxy.host}/${ctx.repository}`, RETENTION, ctx.previewed, true),
    end: async (b, ctx) => {
        const state = await endState(b.direct, ctx.repository, ctx.universe);
        const scan = await scanRepository(b.direct, ctx.repository);
        // Kept publications pull and verify, signatures and all.
        for (const p of scan.publications) await verifyImage(b.direct, ctx.repository, p.digest, { publicKey: b.keys.publicKeyPem });
        return { ...state, kept: scan.publications.map((p) => p.digest), journals: scan.journals.length };
    },
    // Nothing kept is ever deleted, fault or not: only previewed deletions may be gone.
    invariant: async (b, ctx) => {
        const { present } = await endState(b.direct, ctx.repository, ctx.universe);
        const gone = ctx.universe.filter((d) => !present.includes(d));
        expect(gone.filter((d) => !ctx.previewed.includes(d))).toEqual([]);
    },
    errors: [RegistryError],
};

const mirror: Operation<{ repository: string }> = {
    name: "mirror",
    // The tag's PUT, written last; an upstream blob, whose bytes must be the digest's.
    target: (_b, ctx, fault) =>
        bodyFault(fault)
            ? { method: "GET", path: /^\/v2\/upstream\/node\/blobs\/sha256:/ }
            : { method: "PUT", path: new RegExp(`^/v2/${ctx.repository}/manifests/22$`) },
    prepare: (_b, slot) => Promise.resolve({ repository: `mirror-${slot}/node` }),
    run: (b, ctx) => mirrorReference(`${b.proxy.host}/upstream/node:22@${b.upstream.digest}`, `${b.proxy.host}/${ctx.repository}`, { insecure: true }),
    end: (b, ctx) => endState(b.direct, ctx.repository, b.upstream.tree),
    errors: [RegistryError, MirrorError],
};

/** A declared repository's end state, its marker named as such (its digest differs per repository). */
async function markerState(b: Bench, repository: string, others: string[] = []) {
    const marker = sha256(markerManifest(repository));
    const { tags, present } = await endState(b.direct, repository, [marker, ...others]);
    const name = (d: string) => (d === marker ? "marker" : d);
    return { tags: tags.map(([t, d]) => [t, name(d)]), present: present.map(name).sort() };
}

const repositoryMarker: Operation<{ repository: string }> = {
    name: "repository marker",
    // The marker tag's PUT; the read-back of the tag, which must name what was written.
    target: (_b, ctx, fault) => ({ method: bodyFault(fault) ? "GET" : "PUT", path: new RegExp(`^/v2/${ctx.repository}/manifests/slipway-repository$`) }),
    prepare: (_b, slot) => Promise.resolve({ repository: `declared-${slot}/web` }),
    run: (b, ctx) =>
        withRepository(`${b.proxy.host}/${ctx.repository}`, { insecure: true }, (client, repository) =>
            declareRepository(client, repository, { servingTimeoutMs: 5_000 }),
        ),
    end: (b, ctx) => markerState(b, ctx.repository),
    errors: [RegistryError, RepositoryDeclarationError],
};

const markerRemoval: Operation<{ repository: string; image: string }> = {
    name: "repository marker removal",
    // The marker's DELETE: its answers carry no body, so there is none to cut or alter.
    target: (_b, ctx) => ({ method: "DELETE", path: new RegExp(`^/v2/${ctx.repository}/manifests/sha256:`) }),
    prepare: async (b, slot) => {
        const repository = `undeclared-${slot}/web`;
        await declareRepository(b.direct, repository);
        return { repository, image: (await pushImage(b.direct, repository, "v1", "pushed after the declaration")).digest };
    },
    run: (b, ctx) => withRepository(`${b.proxy.host}/${ctx.repository}`, { insecure: true }, undeclareRepository),
    // The marker gone, the image pushed there still there.
    end: (b, ctx) => markerState(b, ctx.repository, [ctx.image]),
    errors: [RegistryError, RepositoryDeclarationError],
    faults: ["5xx", "5xx-once", "reset", "stall"],
};

const request = (b: Bench, repository: string): PublishRequest => ({
    repository,
    platform: "edge-node",
    family: "iso",
    publishedAt: "2026-11-22T08:00:00Z",
    children: b.builds,
});

const diskImage: Operation<{ repository: string }> = {
    name: "disk-image publication",
    // The publication's tag, written last; the upload of the amd64 disk image's bytes.
    target: (b, ctx, fault) =>
        bodyFault(fault)
            ? { method: "PUT", path: new RegExp(`^/v2/${ctx.repository}/blobs/uploads/.*digest=sha256(%3A|:)${b.builds[0]!.manifest.artifacts[0]!.sha256}`) }
            : { method: "PUT", path: new RegExp(`^/v2/${ctx.repository}/manifests/\\d{14}-`) },
    prepare: (_b, slot) => Promise.resolve({ repository: `disk-images-${slot}/iso` }),
    run: async (b, ctx) => {
        const client = clientFor(b.proxy.host, { insecure: true });
        try {
            return await publish(client, request(b, ctx.repository));
        } finally {
            client.close();
        }
    },
    end: async (b, ctx) => {
        const tags = await b.direct.listTags(ctx.repository);
        const index = await b.direct.getManifest(
            ctx.repository,
            tags.find((t) => /^\d{14}-/.test(t))!,
        );
        const tree = [index.digest, ...(index.manifest.manifests ?? []).map((d) => d.digest)];
        return { ...(await endState(b.direct, ctx.repository, tree)), tag: publicationTag("2026-11-22T08:00:00Z", index.digest) };
    },
    errors: [RegistryError],
};

export const OPERATIONS = [verification, promotion, promotionReadBack, retention, mirror, repositoryMarker, markerRemoval, diskImage] as Array<
    Operation<unknown>
>;

async function publishTemplate(b: Pick<Bench, "direct" | "registry" | "keys">): Promise<string[]> {
    const pushed: string[] = [];
    for (const family of ["iso", "raw"]) {
        for (let n = 0; n < 3; n++) {
            const annotations = { [GROUP[0]!]: "edge", [GROUP[1]!]: family, [CREATED]: new Date(Date.UTC(2026, 10, 1, n)).toISOString() };
            pushed.push((await pushIndex(b.direct, "retention/template", `${family}-${n}`, {}, { tagChildren: false, annotations })).digest);
        }
    }
    // Both of cosign's layouts, as the retention tests have them: legacy .sig and bundles.
    await Promise.all(pushed.map((d, i) => cosignSign(b.keys, `${b.registry.host}/retention/template@${d}`, { legacy: i % 2 === 0, recursive: true })));
    return pushed;
}

/** A registry of `kind`, the proxy in front of it, and every fixture the operations read. */
export async function startBench(kind: RunningRegistry["kind"]): Promise<Bench> {
    const bench = {} as Bench;
    [bench.registry, bench.keys] = await Promise.all([startRegistry(kind), cosignKeys()]);
    bench.proxy = await startFaultProxy(bench.registry.host);
    bench.direct = new RegistryClient({ registry: bench.registry.host, scheme: "http", credentials: null });
    const staged = await pushIndex(bench.direct, "staging/node", "v1", { [REVISION_LABEL]: SHA }, { tagChildren: false });
    const upstream = await pushIndex(bench.direct, "upstream/node", "22", {}, { tagChildren: false });
    await cosignSign(bench.keys, `${bench.registry.host}/staging/node@${staged.digest}`, { recursive: true });
    bench.staged = { digest: staged.digest, tree: await digestsOf(bench.direct, "staging/node") };
    bench.upstream = { digest: upstream.digest, tree: [upstream.digest, upstream.amd64.digest, upstream.arm64.digest] };
    bench.template = await publishTemplate(bench);
    bench.builds = [syntheticBuild("amd64", SHA), syntheticBuild("arm64", SHA)];
    return bench;
}

export async function stopBench(bench: Partial<Bench>): Promise<void> {
    bench.direct?.close();
    await bench.proxy?.stop();
    await bench.registry?.stop();
}
