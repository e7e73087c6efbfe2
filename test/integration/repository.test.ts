// Declared repositories against real registries on loopback (distribution 3 and Debian's 2.8):
// a declared repository exists (the catalog lists it, clients nobody here wrote read its tag),
// declaring it again changes nothing, a marker deleted by hand reads as gone, and removing the
// declaration removes only the marker, never an image pushed there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, sha256 } from "../../lib/oci/client";
import { MARKER_TAG, declareRepository, declaredDigest, markerManifest, undeclareRepository, withRepository } from "../../lib/repository/declareRepository";
import { registryRepositoryProvider } from "../../dynamic-providers/registryRepository";
import { must } from "../support/exec";
import { pushImage } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

describe.each(["distribution", "distribution-2.8"] as const)("declared repositories on %s", (kind) => {
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

    it("makes the repository exist before anything is pushed, with a deterministic marker", async () => {
        const digest = await withRepository(`${registry.host}/apps/web`, { insecure: true }, declareRepository);
        expect(digest).toBe(sha256(markerManifest("apps/web")));
        // Read by clients nobody here wrote: crane's catalog (one repository a line) and skopeo's tag list.
        expect((await must("crane", ["catalog", "--insecure", registry.host])).split("\n")).toContain("apps/web");
        expect(await must("skopeo", ["list-tags", "--tls-verify=false", `docker://${registry.host}/apps/web`])).toContain(MARKER_TAG);
        // Declaring again writes the same bytes: nothing changes.
        expect(await withRepository(`${registry.host}/apps/web`, { insecure: true }, declareRepository)).toBe(digest);
        expect(await declaredDigest(client, "apps/web")).toBe(digest);
    });

    it("reads a marker deleted by hand, or replaced by other content, as gone", async () => {
        const digest = await declareRepository(client, "apps/drift");
        await client.deleteManifest("apps/drift", digest);
        expect(await declaredDigest(client, "apps/drift")).toBe("");
        await pushImage(client, "apps/drift", MARKER_TAG, "not a marker");
        expect(await declaredDigest(client, "apps/drift")).toBe("");
        expect(await declareRepository(client, "apps/drift")).toBe(digest);
        expect(await declaredDigest(client, "apps/drift")).toBe(digest);
    });

    it("undeclaring removes the marker only: what was pushed stays, and a second removal is done", async () => {
        await declareRepository(client, "apps/api");
        const image = await pushImage(client, "apps/api", "v1", `api on ${kind}`);
        await undeclareRepository(client, "apps/api");
        await undeclareRepository(client, "apps/api");
        expect(await declaredDigest(client, "apps/api")).toBe("");
        expect(await client.resolve("apps/api", "v1")).toBe(image.digest);
    });

    it("declaring fails naming the repository when the registry cannot be reached; removing from a registry that is gone is done", async () => {
        await expect(withRepository("127.0.0.1:1/apps/web", { insecure: true }, (c, r) => declareRepository(c, r, { servingTimeoutMs: 0 }))).rejects.toThrow(
            /declared repository 127\.0\.0\.1:1\/apps\/web: .*no response/,
        );
        await expect(withRepository("127.0.0.1:1/apps/web", { insecure: true }, undeclareRepository)).resolves.toBeUndefined();
    });

    it("the provider's read: an existing marker is confirmed; one it cannot confirm (registry down) reads as gone, so the next up declares it again", async () => {
        const digest = await declareRepository(client, "apps/read");
        const props = { repository: `${registry.host}/apps/read`, connection: { insecure: true }, version: "1", digest };
        expect((await registryRepositoryProvider.read!("id", props)).props).toMatchObject({ digest });
        expect((await registryRepositoryProvider.read!("id", { ...props, repository: "127.0.0.1:1/apps/read" })).props).toMatchObject({ digest: "" });
    });
});
