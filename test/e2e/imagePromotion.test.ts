// ImagePromotion through the real CLI: a wrong revision fails `up` and creates no prod tag;
// the validated revision promotes exactly the staging digest; a new staging build previews as
// a new source digest and is promoted by the next up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVISION_LABEL } from "../../lib/promotion/promote";
import { pushImage } from "../support/images";
import { changedSteps, exampleWithRegistry, type ExampleWithRegistry } from "../support/stack";

const SHA1 = "1111111111111111111111111111111111111111";
const SHA2 = "2222222222222222222222222222222222222222";

describe("ImagePromotion in a real pulumi up", () => {
    let env: ExampleWithRegistry;
    let first: string;

    beforeAll(async () => {
        env = await exampleWithRegistry("promote", (host) => ({
            "slipway-promote:source": { value: `${host}/apps/web:staging` },
            "slipway-promote:target": { value: `${host}/apps/web:prod` },
            "slipway-promote:expectedRevision": { value: SHA2 },
            "slipway-promote:insecure": { value: "true" },
        }));
        first = (await pushImage(env.client, "apps/web", "staging", "build 1", { labels: { [REVISION_LABEL]: SHA1 } })).digest;
    });
    afterAll(async () => env?.dispose());

    it("a revision that is not the validated one fails, and no prod tag appears", async () => {
        await expect(env.t.stack.up()).rejects.toThrow(/built from 111111111111…, but 222222222222… was validated/);
        await expect(env.client.resolve("apps/web", "prod")).rejects.toMatchObject({ status: 404 });
    });

    it("the validated revision promotes exactly the staging digest", async () => {
        await env.t.stack.setConfig("slipway-promote:expectedRevision", { value: SHA1 });
        const result = await env.t.stack.up();
        expect(result.outputs.digest?.value).toBe(first);
        expect(await env.client.resolve("apps/web", "prod")).toBe(first);
    });

    it("a new staging build previews as a new source digest, and up promotes it", async () => {
        const second = (await pushImage(env.client, "apps/web", "staging", "build 2", { labels: { [REVISION_LABEL]: SHA2 } })).digest;
        await env.t.stack.setConfig("slipway-promote:expectedRevision", { value: SHA2 });
        const changes = changedSteps();
        const preview = await env.t.stack.preview({ onEvent: changes.onEvent, diff: true });
        expect(changes.steps).toEqual([{ op: "update", urn: expect.stringMatching(/ImagePromotion::web$/) as unknown }]);
        expect(preview.stdout).toContain(first);
        expect(preview.stdout).toContain(second);

        await env.t.stack.up();
        expect(await env.client.resolve("apps/web", "prod")).toBe(second);
    });
});
