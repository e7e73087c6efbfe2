import { describe, expect, it } from "vitest";
import { forEachLimit } from "../../lib/concurrency";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("forEachLimit", () => {
    it("runs every item, never more than the limit at once", async () => {
        let running = 0;
        let peak = 0;
        const seen: number[] = [];
        await forEachLimit([...Array(20).keys()], 3, async (n) => {
            running++;
            peak = Math.max(peak, running);
            await tick();
            seen.push(n);
            running--;
        });
        expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
        expect(peak).toBe(3);
    });

    it("rejects with the first error and starts nothing after it", async () => {
        const started: number[] = [];
        await expect(
            forEachLimit([...Array(20).keys()], 2, async (n) => {
                started.push(n);
                await tick();
                if (n === 3) throw new Error("registry said no");
            }),
        ).rejects.toThrow("registry said no");
        expect(started.length).toBeLessThanOrEqual(6);
    });
});
