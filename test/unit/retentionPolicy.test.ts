import { beforeAll, describe, expect, it } from "vitest";
import { RETENTION_POLICY_PROVIDER_VERSION, RetentionPolicy, retentionPolicyProvider } from "../../dynamic-providers/retentionPolicy";
import { promiseOf, recordResources, type RecordedResource } from "../support/mocks";

describe("RetentionPolicy", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("constructs, its URN resolves, and its defaults are recorded", async () => {
        const r = new RetentionPolicy("pubs", { repository: "r.example.org/node/edge", groupBy: ["dev.slipway.family"] });
        expect(await promiseOf(r.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:RetentionPolicy::pubs");
        expect(recorded.find((x) => x.name === "pubs")!.inputs).toMatchObject({
            keep: 3,
            maxDeletes: 100,
            dryRun: false,
            protect: [],
            version: RETENTION_POLICY_PROVIDER_VERSION,
        });
    });

    it("check plans nothing while a preview does not know the registry's credentials yet (created in the same up)", async () => {
        const inputs = {
            repository: "registry.example.invalid/disk-images/p/iso",
            groupBy: ["f"],
            keep: 3,
            protect: [],
            maxDeletes: 10,
            dryRun: false,
            insecure: false,
            credentialsDir: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            version: "2",
            plannedDeletions: [],
            bytesReclaimable: 0,
        };
        // No registry answers at that name: planning would fail, so passing proves it did not plan.
        const result = await retentionPolicyProvider.check!({} as never, inputs);
        expect(result.failures).toEqual([]);
        expect(result.inputs).toEqual(inputs);
    });

    it("check refuses a plan that could empty a group, before touching the registry", async () => {
        const result = await retentionPolicyProvider.check!({} as never, {
            repository: "edge",
            groupBy: [],
            keep: 0,
            protect: [],
            maxDeletes: 0,
            dryRun: false,
            insecure: false,
            version: "1",
            plannedDeletions: [],
            bytesReclaimable: 0,
        });
        expect(result.failures?.map((f) => f.property)).toEqual(["repository", "groupBy", "keep", "maxDeletes"]);
    });
});
