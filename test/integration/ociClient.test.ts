// The OCI client against real registries on loopback, and cross-checked with crane, a client
// nobody here wrote (crane, skopeo). Runs against distribution 3.x and Debian's 2.8.2 (no
// referrers API: the fallback tag path) and olareg (the OCI 1.1 referrers API).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, sha256 } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from "../../lib/oci/mediaTypes";
import { digestTag } from "../../lib/oci/reference";
import { must } from "../support/exec";
import { pushImage, pushIndex } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe.each(["distribution", "distribution-2.8", "olareg"] as const)("RegistryClient on %s", (kind) => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    beforeAll(async () => {
        registry = await startRegistry(kind);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    });
    afterAll(async () => {
        client?.close();
        await registry?.stop();
    });

    it("puts a manifest and resolves its tag to the digest of the bytes", async () => {
        const { digest, bytes } = await pushImage(client, "apps/web", "v1", "hello");
        expect(digest).toBe(sha256(bytes));
        expect(await client.resolve("apps/web", "v1")).toBe(digest);
        const byDigest = await client.getManifest("apps/web", digest);
        expect(byDigest.bytes.equals(bytes)).toBe(true);
        expect(byDigest.mediaType).toBe(OCI_MANIFEST);
        expect(await must("crane", ["digest", "--insecure", `${registry.host}/apps/web:v1`])).toBe(digest);
        // skopeo's raw manifest is the very bytes Slipway put: same digest.
        expect(sha256(await must("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${registry.host}/apps/web:v1`]))).toBe(digest);
    });

    it("skips a blob the repository has, mounts across repositories, uploads in chunks", async () => {
        const blob = Buffer.from("x".repeat(10_000));
        const digest = await client.pushBlob("apps/a", blob, { chunkSize: 4096 });
        expect((await client.getBlob("apps/a", digest)).equals(blob)).toBe(true);

        const before = client.requests;
        await client.pushBlob("apps/a", blob);
        expect(client.requests - before).toBe(1); // one HEAD, no upload

        await client.pushBlob("apps/b", blob, { from: "apps/a" });
        expect(await client.blobExists("apps/b", digest)).toBe(true);

        // A mount from a repository without the blob falls back to an upload.
        const other = Buffer.from("only here");
        const otherDigest = await client.pushBlob("apps/c", other, { from: "apps/none" });
        expect((await client.getBlob("apps/c", otherDigest)).equals(other)).toBe(true);
    });

    it("stores an index with per-arch children", async () => {
        const { digest } = await pushIndex(client, "apps/multi", "latest");
        const fetched = await client.getManifest("apps/multi", "latest");
        expect(fetched).toMatchObject({ digest, mediaType: OCI_INDEX });
        expect(fetched.manifest.manifests!.map((m) => m.platform!.architecture)).toEqual(["amd64", "arm64"]);
    });

    it("lists every tag, across pages where the registry pages", async () => {
        for (const tag of ["t1", "t2", "t3", "t4", "t5"]) await pushImage(client, "apps/tags", tag, tag);
        expect((await client.listTags("apps/tags", 2)).sort()).toEqual(["t1", "t2", "t3", "t4", "t5"]);
    });

    it("finds referrers by the API where there is one, else through the sha256-<hex> fallback index", async () => {
        const subject = await pushImage(client, "apps/signed", "v1", "signed");
        const empty = Buffer.from("{}");
        await client.pushBlob("apps/signed", empty);
        const payload = Buffer.from("bundle");
        const referrer = json({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
            config: { mediaType: OCI_EMPTY, digest: sha256(empty), size: 2 },
            layers: [
                { mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", digest: await client.pushBlob("apps/signed", payload), size: payload.length },
            ],
            subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.bytes.length },
        });
        const referrerDigest = await client.putManifest("apps/signed", sha256(referrer), referrer, OCI_MANIFEST);

        const found = await client.referrers("apps/signed", subject.digest);
        if (kind === "olareg") {
            expect(found.source).toBe("referrers-api");
            expect(found.descriptors.map((d) => d.digest)).toEqual([referrerDigest]);
        } else {
            expect(found).toEqual({ source: "fallback-tag", descriptors: [] });
            // A client (cosign does this) maintains the fallback index itself on such a registry.
            const fallback = json({
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: [
                    { mediaType: OCI_MANIFEST, digest: referrerDigest, size: referrer.length, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json" },
                ],
            });
            await client.putManifest("apps/signed", digestTag(subject.digest), fallback, OCI_INDEX);
            const viaTag = await client.referrers("apps/signed", subject.digest, "application/vnd.dev.sigstore.bundle.v0.3+json");
            expect(viaTag.source).toBe("fallback-tag");
            expect(viaTag.descriptors.map((d) => d.digest)).toEqual([referrerDigest]);
        }
    });

    it("deletes by digest, converges when it is already gone, and names what is missing", async () => {
        const { digest } = await pushImage(client, "apps/gone", "v1", "gone");
        await client.deleteManifest("apps/gone", digest);
        await expect(client.deleteManifest("apps/gone", digest)).resolves.toBeUndefined();
        const error = await client.getManifest("apps/gone", digest).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ status: 404, registry: registry.host, repository: "apps/gone", reference: digest });
        expect(String(error)).toContain(`${registry.host}/apps/gone (${digest}): HTTP 404`);
    });

    it("reads what skopeo copied", async () => {
        await pushImage(client, "apps/src", "v1", "copied by skopeo");
        await must("skopeo", [
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            `docker://${registry.host}/apps/src:v1`,
            `docker://${registry.host}/apps/dst:v1`,
        ]);
        const copied = await client.getManifest("apps/dst", "v1");
        const skopeoDigest = JSON.parse(await must("skopeo", ["inspect", "--tls-verify=false", `docker://${registry.host}/apps/dst:v1`])) as { Digest: string };
        expect(copied.digest).toBe(skopeoDigest.Digest);
        // skopeo compresses the layer on the way; getBlob checks it hashes to its digest.
        const layer = copied.manifest.layers![0]!;
        expect((await client.getBlob("apps/dst", layer.digest)).length).toBe(layer.size);
    });

    it("reads what crane pushed", async () => {
        const dir = mkdtempSync(join(tmpdir(), "slipway-crane-"));
        try {
            writeFileSync(join(dir, "file.txt"), `pushed by crane to ${kind}`);
            await must("tar", ["-cf", join(dir, "layer.tar"), "-C", dir, "file.txt"]);
            await must("crane", ["append", "--insecure", "--oci-empty-base", "-f", join(dir, "layer.tar"), "-t", `${registry.host}/apps/crane:v1`]);
            const craneDigest = await must("crane", ["digest", "--insecure", `${registry.host}/apps/crane:v1`]);
            const fetched = await client.getManifest("apps/crane", "v1");
            expect(fetched.digest).toBe(craneDigest);
            const layer = fetched.manifest.layers![0]!;
            expect((await client.getBlob("apps/crane", layer.digest)).length).toBe(layer.size);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("RegistryClient failures", () => {
    it("names the registry, repository and reference when nothing answers", async () => {
        const client = new RegistryClient({ registry: "127.0.0.1:9", scheme: "http", credentials: null, maxRetries: 1, retryBudgetMs: 500 });
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(String(error)).toMatch(/127\.0\.0\.1:9\/apps\/web \(v1\): no response: GET \/v2\/apps\/web\/manifests\/v1: .*ECONNREFUSED/);
    });
});
