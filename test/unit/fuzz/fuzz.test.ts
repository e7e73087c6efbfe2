// The fuzz targets (test/fuzz/targets.ts) with a fixed seed and a few hundred cases each: any
// uncaught non-typed error, case over HANG_MS or false accept fails, shrunk by fast-check to a
// small counterexample with the seed and path that replay it. `npm run bench:fuzz` runs the same
// targets for ≥ 10,000 cases each with a fresh seed.
import { describe, expect, it } from "vitest";
import { firstFinding } from "../../fuzz/harness";
import { TARGETS } from "../../fuzz/targets";

const SEED = 20261117;
/** Verification through sigstore-js costs milliseconds a case; the rest, microseconds. */
const RUNS: Record<string, number> = {
    "sigstore bundle (conformance)": 300,
    "trusted root": 200,
    "verifyImage (index trees)": 500,
    "revision label (index trees)": 500,
};

describe("fuzz targets (fixed seed)", () => {
    for (const target of TARGETS) {
        it(`${target.name}: no uncaught error, hang or false accept`, async () => {
            expect(await firstFinding(target, { seed: SEED, numRuns: RUNS[target.name] ?? 1000 })).toBeUndefined();
        }, 60_000);
    }
});
