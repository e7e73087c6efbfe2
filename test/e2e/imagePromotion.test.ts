// ImagePromotion through the real CLI: a wrong revision fails `up` and creates no prod tag;
// the validated revision promotes exactly the staging digest; a new staging build previews as
// a new source digest and is promoted by the next up.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { REVISION_LABEL } from "../../lib/promotion/promote";
import { pushImage } from "../support/images";
import { ROOT } from "../support/prerequisites";
import { startRegistry, type RunningRegistry } from "../support/registries";
import { changedSteps, throwawayStack, type ThrowawayStack } from "../support/stack";

const SHA1 = "1111111111111111111111111111111111111111";
const SHA2 = "2222222222222222222222222222222222222222";

describe("ImagePromotion in a real pulumi up", () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let t: ThrowawayStack;
    let first: string;

    beforeAll(async () => {
        registry = await startRegistry("distribution");
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        first = (await pushImage(client, "apps/web", "staging", "build 1", { labels: { [REVISION_LABEL]: SHA1 } })).digest;
        t = await throwawayStack(
            () => ({
                "slipway-promote:source": { value: `${registry.host}/apps/web:staging` },
                "slipway-promote:target": { value: `${registry.host}/apps/web:prod` },
                "slipway-promote:expectedRevision": { value: SHA2 },
                "slipway-promote:insecure": { value: "true" },
            }),
            join(ROOT, "examples", "promote"),
        );
    });
    afterAll(async () => {
        await t?.dispose();
        client?.close();
        await registry?.stop();
    });

    it("a revision that is not the validated one fails, and no prod tag appears", async () => {
        await expect(t.stack.up()).rejects.toThrow(/built from 111111111111…, but 222222222222… was validated/);
        await expect(client.resolve("apps/web", "prod")).rejects.toMatchObject({ status: 404 });
    });

    it("the validated revision promotes exactly the staging digest", async () => {
        await t.stack.setConfig("slipway-promote:expectedRevision", { value: SHA1 });
        const result = await t.stack.up();
        expect(result.outputs.digest?.value).toBe(first);
        expect(await client.resolve("apps/web", "prod")).toBe(first);
    });

    it("a new staging build previews as a new source digest, and up promotes it", async () => {
        const second = (await pushImage(client, "apps/web", "staging", "build 2", { labels: { [REVISION_LABEL]: SHA2 } })).digest;
        await t.stack.setConfig("slipway-promote:expectedRevision", { value: SHA2 });
        const changes = changedSteps();
        const preview = await t.stack.preview({ onEvent: changes.onEvent, diff: true });
        expect(changes.steps).toEqual([{ op: "update", urn: expect.stringMatching(/ImagePromotion::web$/) as unknown }]);
        expect(preview.stdout).toContain(first);
        expect(preview.stdout).toContain(second);

        await t.stack.up();
        expect(await client.resolve("apps/web", "prod")).toBe(second);
    });
});
