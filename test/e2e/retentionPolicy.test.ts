// RetentionPolicy through the real CLI: preview lists exactly the digests that would be
// deleted and deletes nothing; up deletes exactly those; a second up changes nothing.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { CREATED } from "../../lib/retention/plan";
import { pushImage } from "../support/images";
import { ROOT } from "../support/prerequisites";
import { startRegistry, type RunningRegistry } from "../support/registries";
import { changedSteps, throwawayStack, type ThrowawayStack } from "../support/stack";

describe("RetentionPolicy in a real pulumi up", () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let t: ThrowawayStack;
    const digests: string[] = [];

    beforeAll(async () => {
        registry = await startRegistry("distribution");
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        for (let n = 0; n < 5; n++) {
            digests.push((await pushImage(client, "node/edge", `b${n}`, `build ${n}`, { annotations: { "dev.slipway.family": "iso", [CREATED]: `2026-11-0${n + 1}T00:00:00Z` } })).digest);
        }
        t = await throwawayStack(
            () => ({ "slipway-retention:repository": { value: `${registry.host}/node/edge` }, "slipway-retention:keep": { value: "3" }, "slipway-retention:insecure": { value: "true" } }),
            join(ROOT, "examples", "retention"),
        );
    });
    afterAll(async () => {
        await t?.dispose();
        client?.close();
        await registry?.stop();
    });

    it("preview lists the two oldest and deletes nothing", async () => {
        const preview = await t.stack.preview({ diff: true });
        expect(preview.stdout).toContain(digests[0]);
        expect(preview.stdout).toContain(digests[1]);
        expect(preview.stdout).not.toContain(digests[2]);
        for (const d of digests) expect(await client.resolve("node/edge", d)).toBe(d);
    });

    it("up deletes exactly those, and a second up changes nothing", async () => {
        const result = await t.stack.up();
        expect([...(result.outputs.deleted?.value as string[])].sort()).toEqual([digests[0], digests[1]].sort());
        await expect(client.getManifest("node/edge", digests[0]!)).rejects.toMatchObject({ status: 404 });
        for (const d of digests.slice(2)) expect(await client.resolve("node/edge", d)).toBe(d);

        const changes = changedSteps();
        await t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
    });
});
