import { beforeAll, describe, expect, it } from "vitest";
import { IMAGE_PROMOTION_PROVIDER_VERSION, ImagePromotion, imagePromotionProvider } from "../../dynamic-providers/imagePromotion";
import { promiseOf, recordResources, type RecordedResource } from "../support/mocks";

describe("ImagePromotion", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("constructs, its URN resolves, and its inputs are recorded", async () => {
        const p = new ImagePromotion("web", { source: "r.example.org/apps/web:staging", target: "r.example.org/apps/web:prod", expectedRevision: "abc" });
        expect(await promiseOf(p.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:ImagePromotion::web");
        expect(recorded.find((r) => r.name === "web")!.inputs).toMatchObject({
            expectedRevision: "abc",
            insecure: false,
            version: IMAGE_PROMOTION_PROVIDER_VERSION,
        });
    });

    it("check refuses an empty expected revision and malformed references before touching a registry", async () => {
        const result = await imagePromotionProvider.check!({} as never, {
            source: "web",
            target: "",
            expectedRevision: " ",
            insecure: false,
            sourceDigest: "",
            version: "1",
        });
        expect(result.failures).toEqual([
            { property: "expectedRevision", reason: "is empty: promotion needs the validated commit SHA" },
            { property: "source", reason: "must be registry/repository:tag" },
            { property: "target", reason: "must be registry/repository:tag" },
        ]);
    });

    it("diff promotes again for a new source digest or revision, or when the target moved away", async () => {
        const olds = {
            source: "r/a:s",
            target: "r/a:p",
            expectedRevision: "abc",
            insecure: false,
            sourceDigest: "sha256:1",
            version: "1",
            digest: "sha256:1",
            revision: "abc",
            promotedAt: "t",
        };
        const diff = (news: object, old: object = olds) => imagePromotionProvider.diff!("id", old as never, { ...olds, ...news });
        expect(await diff({})).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(await diff({ sourceDigest: "sha256:2" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await diff({ expectedRevision: "def" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await diff({}, { ...olds, digest: "sha256:other" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await diff({ target: "r/a:p2" })).toEqual({ changes: true, replaces: ["target"], deleteBeforeReplace: false });
    });
});
