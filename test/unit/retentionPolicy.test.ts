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
        expect(recorded.find((x) => x.name === "pubs")!.inputs).toMatchObject({ keep: 3, maxDeletes: 100, dryRun: false, protect: [], version: RETENTION_POLICY_PROVIDER_VERSION });
    });

    it("check refuses a plan that could empty a group, before touching the registry", async () => {
        const result = await retentionPolicyProvider.check!({} as never, { repository: "edge", groupBy: [], keep: 0, protect: [], maxDeletes: 0, dryRun: false, insecure: false, version: "1", plannedDeletions: [], bytesReclaimable: 0 });
        expect(result.failures?.map((f) => f.property)).toEqual(["repository", "groupBy", "keep", "maxDeletes"]);
    });
});
