// Indexes as real pipelines push them, against real registries: buildx's default index (images
// plus attestation manifests) promotes, with every image's revision checked and the
// attestations copied along; indexes inside indexes are verified and label-checked all the way
// down (bounded); and nothing in an index can dodge the checks by dressing as an attestation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { OCI_INDEX } from "../../lib/oci/mediaTypes";
import { MAX_INDEX_DEPTH, verifyImage } from "../../lib/cosign/verifyImage";
import { promote, PromotionError, REVISION_LABEL } from "../../lib/promotion/promote";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { ATTESTATION_ANNOTATIONS, pushBuildxIndex, pushImage, pushIndexOf, type PushedManifest } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const SHA = "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f";
const labelled = { [REVISION_LABEL]: SHA };
const asIndex = (m: PushedManifest) => ({ ...m, mediaType: OCI_INDEX });

/** An index of an amd64 image and a second child annotated as the attestation of `of`, on `platform`. */
function imageAndAttestation(image: PushedManifest, attestation: PushedManifest, of: string, platform: { architecture: string; os: string }): Buffer {
    const manifest = "application/vnd.oci.image.manifest.v1+json";
    return Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: [
                { mediaType: manifest, digest: image.digest, size: image.bytes.length, platform: { architecture: "amd64", os: "linux" } },
                { mediaType: manifest, digest: attestation.digest, size: attestation.bytes.length, annotations: ATTESTATION_ANNOTATIONS(of), platform },
            ],
        }),
    );
}

describe.each(["distribution", "olareg"] as const)("index trees on %s", (kind) => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;
    const failureOf = (p: Promise<unknown>) =>
        p.then(
            () => undefined,
            (e: unknown) => e as PromotionError,
        );

    beforeAll(async () => {
        [registry, keys] = await Promise.all([startRegistry(kind), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    });
    afterAll(async () => {
        client?.close();
        await registry?.stop();
    });

    describe("buildx's default index", () => {
        it("promotes: the images' revisions are checked, the attestations copied with the index", async () => {
            const pushed = await pushBuildxIndex(client, "staging/bx", "v1", labelled);
            const result = await promote(client, { repository: "staging/bx", tag: "v1" }, { repository: "prod/bx", tag: "current" }, SHA);
            expect(result.digest).toBe(pushed.digest);
            expect(await client.resolve("prod/bx", "current")).toBe(pushed.digest);
            for (const m of [...pushed.images, ...pushed.attestations]) expect((await client.getManifest("prod/bx", m.digest)).digest).toBe(m.digest);
        });

        it("a child without the label is named, with its platform and why; the attestations are never blamed", async () => {
            const pushed = await pushBuildxIndex(client, "staging/bx", "v2", labelled, { labelsOf: (arch) => (arch === "arm64" ? {} : labelled) });
            const error = await failureOf(promote(client, { repository: "staging/bx", tag: "v2" }, { repository: "prod/bx", tag: "current" }, SHA));
            expect(error).toBeInstanceOf(PromotionError);
            expect(error).toMatchObject({ failure: "label-missing" });
            expect(error!.message).toContain(`linux/arm64 ${pushed.images[1]!.digest.slice(0, 19)}`);
            expect(error!.message).toContain("carries no org.opencontainers.image.revision label");
            expect(error!.message).not.toContain("unknown/unknown");
            expect(error!.message).not.toContain("amd64");
        });

        it("an image dressed as an attestation with a runnable platform is still label-checked", async () => {
            const good = await pushImage(client, "staging/bx", undefined, "good", { labels: labelled });
            const sneaky = await pushImage(client, "staging/bx", undefined, "sneaky, unlabelled");
            const index = imageAndAttestation(good, sneaky, good.digest, { architecture: "arm64", os: "linux" });
            await client.putManifest("staging/bx", "sneaky", index, OCI_INDEX);
            const error = await failureOf(promote(client, { repository: "staging/bx", tag: "sneaky" }, { repository: "prod/bx", tag: "sneaky" }, SHA));
            expect(error).toMatchObject({ failure: "label-missing" });
            expect(error!.message).toContain(`linux/arm64 ${sneaky.digest.slice(0, 19)}`);
        });

        it("an attestation of an image that is not in the index is refused", async () => {
            const good = await pushImage(client, "staging/bx", undefined, "good 2", { labels: labelled });
            const stray = await pushImage(client, "staging/bx", undefined, "stray");
            const index = imageAndAttestation(good, stray, `sha256:${"9".repeat(64)}`, { architecture: "unknown", os: "unknown" });
            await client.putManifest("staging/bx", "stray", index, OCI_INDEX);
            const error = await failureOf(promote(client, { repository: "staging/bx", tag: "stray" }, { repository: "prod/bx", tag: "stray" }, SHA));
            expect(error).toMatchObject({ failure: "label-missing" });
            expect(error!.message).toMatch(/marked as an attestation of sha256:999999999999…, which is not an image of this index/);
            await expect(client.resolve("prod/bx", "stray")).rejects.toMatchObject({ status: 404 });
        });
    });

    describe("indexes inside indexes", () => {
        let inner: PushedManifest;
        let images: PushedManifest[];
        let outer: PushedManifest;

        beforeAll(async () => {
            images = [
                await pushImage(client, "nested/app", undefined, "inner a", { labels: labelled }),
                await pushImage(client, "nested/app", undefined, "inner b", { labels: {} }),
            ];
            inner = await pushIndexOf(client, "nested/app", undefined, images);
            const top = await pushImage(client, "nested/app", undefined, "top image", { labels: labelled });
            outer = await pushIndexOf(client, "nested/app", "v1", [top, asIndex(inner)]);
        });

        it("promotion label-checks the images of the inner index, naming the path to the failing one", async () => {
            const error = await failureOf(promote(client, { repository: "nested/app", tag: "v1" }, { repository: "nested/prod", tag: "v1" }, SHA));
            expect(error).toMatchObject({ failure: "label-missing" });
            expect(error!.message).toContain(
                `${outer.digest.slice(0, 19)}… (index) > ${inner.digest.slice(0, 19)}… > ${images[1]!.digest.slice(0, 19)}…: carries no`,
            );
        });

        it("verification checks every manifest of the tree: an unsigned inner image fails it", async () => {
            for (const d of [outer.digest, inner.digest, images[0]!.digest]) await cosignSign(keys, `${registry.host}/nested/app@${d}`);
            // The outer index's own image is unsigned too: both unsigned leaves are reported.
            const error = await verifyImage(client, "nested/app", outer.digest, { publicKey: keys.publicKeyPem }).catch((e: unknown) => e as Error);
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message).toContain(images[1]!.digest);
        });

        it("a fully signed tree verifies, and lists every manifest under the top", async () => {
            const all = await pushImage(client, "nested/signed", undefined, "leaf", { labels: labelled });
            const mid = await pushIndexOf(client, "nested/signed", undefined, [all]);
            const top = await pushIndexOf(client, "nested/signed", "v1", [asIndex(mid)]);
            for (const d of [top.digest, mid.digest, all.digest]) await cosignSign(keys, `${registry.host}/nested/signed@${d}`);
            const verified = await verifyImage(client, "nested/signed", top.digest, { publicKey: keys.publicKeyPem });
            expect(verified.children.sort()).toEqual([mid.digest, all.digest].sort());
            // And it promotes, the whole tree copied before the tag moves.
            await promote(client, { repository: "nested/signed", tag: "v1" }, { repository: "nested/signed-prod", tag: "v1" }, SHA);
            for (const d of [top.digest, mid.digest, all.digest]) expect((await client.getManifest("nested/signed-prod", d)).digest).toBe(d);
            await verifyImage(client, "nested/signed-prod", top.digest, { publicKey: keys.publicKeyPem });
        });

        it(`a tree deeper than ${MAX_INDEX_DEPTH} levels is refused by both, not checked in part`, async () => {
            let node: PushedManifest = await pushImage(client, "nested/deep", undefined, "deep leaf", { labels: labelled });
            const chain = [node];
            for (let level = 0; level <= MAX_INDEX_DEPTH; level++)
                chain.push(
                    (node =
                        level === 0
                            ? await pushIndexOf(client, "nested/deep", undefined, [node])
                            : await pushIndexOf(client, "nested/deep", undefined, [asIndex(node)])),
                );
            await client.putManifest("nested/deep", "v1", node.bytes, OCI_INDEX);
            for (const m of chain) await cosignSign(keys, `${registry.host}/nested/deep@${m.digest}`);
            await expect(verifyImage(client, "nested/deep", node.digest, { publicKey: keys.publicKeyPem })).rejects.toThrow(/deeper than 4 levels/);
            await expect(promote(client, { repository: "nested/deep", tag: "v1" }, { repository: "nested/deep", tag: "prod" }, SHA)).rejects.toThrow(
                /deeper than 4 levels/,
            );
        });
    });
});
