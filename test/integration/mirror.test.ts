// Pinned mirrors between two real registries on loopback: an upstream (its own registry, as
// docker.io would be) and the platform's. Exactly the pinned bytes land, an index with every
// child, the tag last; a second run uploads nothing; a pin the upstream lacks, or no pin, fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, sha256 } from "../../lib/oci/client";
import { mirroredDigest, mirrorImage, mirrorReference } from "../../lib/mirror/mirrorImage";
import { must } from "../support/exec";
import { pushImage, pushIndex } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

describe("registry mirrors", () => {
    let upstream: RunningRegistry;
    let platform: RunningRegistry;
    let source: RegistryClient;
    let target: RegistryClient;

    beforeAll(async () => {
        [upstream, platform] = await Promise.all([startRegistry("distribution"), startRegistry("distribution")]);
        source = new RegistryClient({ registry: upstream.host, scheme: "http", credentials: null });
        target = new RegistryClient({ registry: platform.host, scheme: "http", credentials: null });
    });
    afterAll(async () => {
        source?.close();
        target?.close();
        await Promise.all([upstream?.stop(), platform?.stop()]);
    });

    it("copies a pinned 2-arch index with every child under the upstream's tag, byte for byte", async () => {
        const index = await pushIndex(source, "library/node", "22", {});
        const result = await mirrorReference(`${upstream.host}/library/node:22@${index.digest}`, `${platform.host}/mirror/node`, { insecure: true });
        expect(result).toMatchObject({ digest: index.digest, ref: `${platform.host}/mirror/node@${index.digest}`, tag: "22" });
        expect(result.manifests).toEqual([index.amd64.digest, index.arm64.digest, index.digest]);
        expect(result.blobs).toBeGreaterThanOrEqual(4);
        // Read back by a client nobody here wrote: the tag names the pinned bytes, each child pulls.
        const raw = await must("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${platform.host}/mirror/node:22`]);
        expect(sha256(raw)).toBe(index.digest);
        for (const child of [index.amd64.digest, index.arm64.digest]) {
            expect(await must("skopeo", ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", `docker://${platform.host}/mirror/node@${child}`])).toBe(
                child,
            );
        }
    });

    it("a second run of the same pin uploads nothing", async () => {
        const image = await pushImage(source, "library/busybox", "1.36", "busybox 1.36");
        const first = await mirrorImage(source, { repository: "library/busybox", digest: image.digest }, target, { repository: "mirror/busybox", tag: "1.36" });
        expect(first.blobs).toBe(2);
        const again = await mirrorImage(source, { repository: "library/busybox", digest: image.digest }, target, { repository: "mirror/busybox", tag: "1.36" });
        expect(again).toEqual({ digest: image.digest, manifests: [image.digest], blobs: 0 });
    });

    it("refresh sees a mirror deleted from the registry as gone", async () => {
        const image = await pushImage(source, "library/alpine", undefined, "alpine, untagged");
        await mirrorReference(`${upstream.host}/library/alpine@${image.digest}`, `${platform.host}/mirror/alpine`, { insecure: true });
        expect(await mirroredDigest(`${platform.host}/mirror/alpine`, image.digest, { insecure: true })).toBe(image.digest);
        await target.deleteManifest("mirror/alpine", image.digest);
        expect(await mirroredDigest(`${platform.host}/mirror/alpine`, image.digest, { insecure: true })).toBe("");
    });

    it("fails naming the source when the upstream has no such digest, and writes no tag", async () => {
        const missing = `sha256:${"0".repeat(64)}`;
        await expect(mirrorReference(`${upstream.host}/library/node:23@${missing}`, `${platform.host}/mirror/node`, { insecure: true })).rejects.toThrow(
            new RegExp(`mirroring ${upstream.host}/library/node:23@${missing} to ${platform.host}/mirror/node: .*404`),
        );
        await expect(target.resolve("mirror/node", "23")).rejects.toMatchObject({ notFound: true });
    });

    it("refuses a source that is not pinned by digest, saying how to pin it", async () => {
        await expect(mirrorReference(`${upstream.host}/library/node:22`, `${platform.host}/mirror/node`, { insecure: true })).rejects.toThrow(
            /is not pinned: add @sha256:<digest>/,
        );
    });
});
