import { describe, expect, it } from "vitest";
import { CREATED, planRetention, restrictPlan, type Publication } from "../../lib/retention/plan";

const d = (name: string) => `sha256:${Buffer.from(name).toString("hex").padEnd(64, "0").slice(0, 64)}`;
const GROUP = ["dev.slipway.platform", "dev.slipway.family", "dev.slipway.arch"];

function pub(group: number, n: number, extra: Partial<Publication> = {}): Publication {
    const id = `g${group}-p${n}`;
    return {
        digest: d(id),
        annotations: {
            "dev.slipway.platform": "edge",
            "dev.slipway.family": `f${group}`,
            "dev.slipway.arch": "amd64",
            [CREATED]: `2026-11-${String(n + 1).padStart(2, "0")}T00:00:00Z`,
        },
        children: [],
        referrers: [d(`${id}-sig`)],
        blobs: [{ digest: d(`${id}-blob`), size: 1000 }],
        tags: [
            [`sha256-${id}.sig`, d(`${id}-sig`)],
            [id, d(id)],
        ],
        ...extra,
    };
}

describe("planRetention", () => {
    it("keeps exactly the newest 3 of each of 5 groups × 10, by creation time not tag order", () => {
        const pubs = Array.from({ length: 5 }, (_, g) => Array.from({ length: 10 }, (_, n) => pub(g, n)))
            .flat()
            .reverse();
        const plan = planRetention(pubs, { groupBy: GROUP, keep: 3 });
        expect(plan.groups).toHaveLength(5);
        for (const [g, group] of plan.groups.entries()) {
            expect(group.kept).toEqual([9, 8, 7].map((n) => d(`g${g}-p${n}`)));
            expect(group.deleted).toHaveLength(7);
        }
        expect(plan.deletions).toHaveLength(5 * 7 * 2); // each deleted publication with its signature
        expect(plan.deletions).not.toContain(d("g0-p9-sig"));
        expect(plan.bytesReclaimable).toBe(5 * 7 * 1000);
        expect(plan.capped).toBe(false);
    });

    it("never deletes a protected digest, a kept index's children, or a blob still in use", () => {
        const shared = { digest: d("shared-blob"), size: 500 };
        const index = pub(0, 9, { children: [d("child-a")], blobs: [shared] });
        const old = pub(0, 1, { children: [d("child-a"), d("child-b")], blobs: [shared, { digest: d("only-old"), size: 70 }] });
        const plan = planRetention([index, old, pub(0, 2), pub(0, 3)], { groupBy: GROUP, keep: 1, protect: [d("g0-p2")] });
        expect(plan.groups[0]!.kept).toEqual([d("g0-p9"), d("g0-p2")]);
        expect(plan.deletions).toContain(d("child-b"));
        expect(plan.deletions).not.toContain(d("child-a"));
        expect(plan.deletions).not.toContain(d("g0-p2"));
        // The old index goes before its children, so no index ever lists a missing manifest.
        expect(plan.deletions.indexOf(d("g0-p1"))).toBeLessThan(plan.deletions.indexOf(d("child-b")));
        // Signatures go before their subject, so a crash never leaves a signature tag naming nothing.
        expect(plan.deletions.indexOf(d("g0-p1-sig"))).toBeLessThan(plan.deletions.indexOf(d("g0-p1")));
        expect(plan.bytesReclaimable).toBe(70 + 1000); // only-old, and g0-p3's own blob; the shared one stays
    });

    it("stops at maxDeletes with whole publications, oldest first, and says so", () => {
        const pubs = Array.from({ length: 10 }, (_, n) => pub(0, n));
        const plan = planRetention(pubs, { groupBy: GROUP, keep: 3, maxDeletes: 5 });
        expect(plan.deletions).toEqual([d("g0-p0-sig"), d("g0-p0"), d("g0-p1-sig"), d("g0-p1")]);
        expect(plan.capped).toBe(true);
        expect(plan.deferred).toHaveLength(5);
    });

    it("keeps what it cannot order, and refuses to empty a group", () => {
        const undated = pub(0, 0, { annotations: { "dev.slipway.platform": "edge", "dev.slipway.family": "f0", "dev.slipway.arch": "amd64" } });
        const plan = planRetention([undated, pub(0, 5), pub(0, 6)], { groupBy: GROUP, keep: 1 });
        expect(plan.unordered).toEqual([undated.digest]);
        expect(plan.deletions).not.toContain(undated.digest);
        expect(() => planRetention([], { groupBy: GROUP, keep: 0 })).toThrow("keep must be at least 1");
    });

    it("untags a doomed publication's signature tags before its own, and never a tag of something kept", () => {
        const kept = pub(0, 9);
        const old = pub(0, 1, {
            tags: [
                ["sha256-old.sig", d("g0-p1-sig")],
                ["also-kept", kept.digest],
                ["g0-p1", d("g0-p1")],
                ["g0-p1-alias", d("g0-p1")],
            ],
        });
        const plan = planRetention([kept, old], { groupBy: GROUP, keep: 1 });
        expect(plan.units.map((u) => u.untag)).toEqual([
            [
                ["sha256-old.sig", d("g0-p1-sig")],
                ["g0-p1", d("g0-p1")],
                ["g0-p1-alias", d("g0-p1")],
            ],
        ]);
    });

    it("finishes what an interrupted run untagged, first, unless something live uses it now", () => {
        const leftover = d("untagged-by-a-killed-run");
        const plan = planRetention([pub(0, 1), pub(0, 9)], { groupBy: GROUP, keep: 1 }, [leftover, d("g0-p9"), d("g0-p9-sig"), leftover]);
        expect(plan.units).toEqual([
            { untag: [], deletions: [leftover] },
            {
                untag: [
                    ["sha256-g0-p1.sig", d("g0-p1-sig")],
                    ["g0-p1", d("g0-p1")],
                ],
                deletions: [d("g0-p1-sig"), d("g0-p1")],
            },
        ]);
    });

    it("narrowed to what preview showed, deletes and untags only that", () => {
        const plan = restrictPlan(planRetention([pub(0, 1), pub(0, 2), pub(0, 9)], { groupBy: GROUP, keep: 1 }), new Set([d("g0-p2"), d("g0-p2-sig")]));
        expect(plan.units).toEqual([
            {
                untag: [
                    ["sha256-g0-p2.sig", d("g0-p2-sig")],
                    ["g0-p2", d("g0-p2")],
                ],
                deletions: [d("g0-p2-sig"), d("g0-p2")],
            },
        ]);
        expect(plan.deletions).toEqual([d("g0-p2-sig"), d("g0-p2")]);
    });
});
