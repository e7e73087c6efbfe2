// RetentionPolicy through the real CLI: preview lists exactly the digests that would be
// deleted and deletes nothing; up deletes exactly those; a second up changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATED } from "../../lib/retention/plan";
import { pushImage } from "../support/images";
import { changedSteps, exampleWithRegistry, type ExampleWithRegistry } from "../support/stack";

describe("RetentionPolicy in a real pulumi up", () => {
    let env: ExampleWithRegistry;
    const digests: string[] = [];

    beforeAll(async () => {
        env = await exampleWithRegistry("retention", (host) => ({
            "slipway-retention:repository": { value: `${host}/node/edge` },
            "slipway-retention:keep": { value: "3" },
            "slipway-retention:insecure": { value: "true" },
        }));
        for (let n = 0; n < 5; n++) {
            digests.push(
                (
                    await pushImage(env.client, "node/edge", `b${n}`, `build ${n}`, {
                        annotations: { "dev.slipway.family": "iso", [CREATED]: `2026-11-0${n + 1}T00:00:00Z` },
                    })
                ).digest,
            );
        }
    });
    afterAll(async () => env?.dispose());

    it("preview lists the two oldest and deletes nothing", async () => {
        const preview = await env.t.stack.preview({ diff: true });
        expect(preview.stdout).toContain(digests[0]);
        expect(preview.stdout).toContain(digests[1]);
        expect(preview.stdout).not.toContain(digests[2]);
        for (const d of digests) expect(await env.client.resolve("node/edge", d)).toBe(d);
    });

    it("up deletes exactly those, and a second up changes nothing", async () => {
        const result = await env.t.stack.up();
        expect([...(result.outputs.deleted?.value as string[])].sort()).toEqual([digests[0], digests[1]].sort());
        expect(result.stdout).toMatch(/retention deleted 2 manifests, kept \d+/);
        await expect(env.client.getManifest("node/edge", digests[0]!)).rejects.toMatchObject({ status: 404 });
        for (const d of digests.slice(2)) expect(await env.client.resolve("node/edge", d)).toBe(d);

        const changes = changedSteps();
        const again = await env.t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
        // Nothing ran this time, so nothing is reported as deleted (the state still lists the earlier run's).
        expect(again.stdout).not.toMatch(/retention deleted/);
    });
});
