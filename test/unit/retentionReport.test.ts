// What `pulumi up` prints for a retention run: what it deleted, or, dry, exactly what a real
// run would delete (and that nothing went).
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describeRetention, reportRetention, type RetentionRun } from "../../components/registry/retentionReport";
import type { RetentionPolicy } from "../../dynamic-providers/retentionPolicy";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const RUN: RetentionRun = {
    repository: "registry.example.org/disk-images/edge/iso",
    dryRun: false,
    maxDeletes: 100,
    deleted: [d("1"), d("2")],
    plannedDeletions: [],
    kept: { "edge/iso": [d("3"), d("4"), d("5")] },
    capped: false,
};

describe("the retention report", () => {
    afterEach(() => vi.restoreAllMocks());

    it("a real run: what it deleted and kept", () => {
        expect(describeRetention(RUN)).toBe("registry.example.org/disk-images/edge/iso: retention deleted 2 manifests, kept 3");
        expect(describeRetention({ ...RUN, capped: true, maxDeletes: 2 })).toBe(
            "registry.example.org/disk-images/edge/iso: retention deleted 2 manifests, kept 3; maxDeletes (2) reached: the rest waits for the next run",
        );
    });

    it("a dry run: nothing deleted, and every manifest a real run would delete, in order", () => {
        expect(describeRetention({ ...RUN, dryRun: true, deleted: [], plannedDeletions: [d("1"), d("2")] })).toBe(
            `registry.example.org/disk-images/edge/iso: retention dry run, nothing deleted; a real run would delete 2 manifests: ${d("1")}, ${d("2")}, and keep 3`,
        );
        expect(describeRetention({ ...RUN, dryRun: true, deleted: [], plannedDeletions: [] })).toBe(
            "registry.example.org/disk-images/edge/iso: retention dry run, nothing deleted; a real run would delete 0 manifests, and keep 3",
        );
    });

    it("reports a run of this update on the policy, and not one kept in state from an earlier update", async () => {
        const info = vi.spyOn(pulumi.log, "info").mockResolvedValue();
        const policy = (ranAt: string) =>
            ({
                deleted: pulumi.output([] as string[]),
                plannedDeletions: pulumi.output([d("1")]),
                kept: pulumi.output(RUN.kept),
                capped: pulumi.output(false),
                dryRun: pulumi.output(true),
                maxDeletes: pulumi.output(100),
                ranAt: pulumi.output(ranAt),
            }) as unknown as RetentionPolicy;
        const now = policy(new Date(Date.now() + 1000).toISOString());
        reportRetention(now, RUN.repository);
        reportRetention(policy("2020-01-01T00:00:00.000Z"), RUN.repository);
        await vi.waitFor(() => expect(info).toHaveBeenCalledTimes(1));
        // Outputs settle in order: give the earlier run's a chance to (wrongly) log too.
        await new Promise((r) => setTimeout(r, 50));
        expect(info.mock.calls).toEqual([
            [`${RUN.repository}: retention dry run, nothing deleted; a real run would delete 1 manifests: ${d("1")}, and keep 3`, now],
        ]);
    });
});
