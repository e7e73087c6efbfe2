// The provider kit's diff: one answer shape for every dynamic provider, replaces told apart
// from updates, state from an earlier Slipway read with the defaults it was written under.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changedAlso, diffInputs } from "../../dynamic-providers/kit/diff";
import { ROOT } from "../support/prerequisites";

interface Inputs {
    name: string;
    size?: number;
    tags: string[];
    version: number;
}
const olds: Inputs = { name: "a", size: 1, tags: ["x"], version: 1 };

describe("diffInputs", () => {
    it("always answers with changes, replaces and deleteBeforeReplace", () => {
        expect(diffInputs(olds, { ...olds }, { updates: ["size"], replaces: ["name"] })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(diffInputs(olds, { ...olds, size: 2 }, { updates: ["size"], replaces: ["name"] })).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(diffInputs(olds, { ...olds, name: "b", size: 2 }, { updates: ["size"], replaces: ["name"], deleteBeforeReplace: true })).toEqual({
            changes: true,
            replaces: ["name"],
            deleteBeforeReplace: true,
        });
    });

    it("compares values, not references, and ignores what the spec does not name", () => {
        expect(diffInputs(olds, { ...olds, tags: ["x"] }, { updates: ["tags"] }).changes).toBe(false);
        expect(diffInputs(olds, { ...olds, tags: ["x", "y"] }, { updates: ["tags"] }).changes).toBe(true);
        expect(diffInputs(olds, { ...olds, version: 2 }, { updates: ["tags"] }).changes).toBe(false);
    });

    it("reads an input missing from earlier state as its default", () => {
        const earlier: Inputs = { name: "a", tags: [], version: 1 };
        expect(diffInputs(earlier, { ...earlier, size: 0 }, { replaces: ["size"], defaults: { size: 0 } }).changes).toBe(false);
        expect(diffInputs(earlier, { ...earlier, size: 3 }, { replaces: ["size"], defaults: { size: 0 } }).replaces).toEqual(["size"]);
    });

    it("adds drift found elsewhere without losing what replaces", () => {
        expect(changedAlso(diffInputs(olds, olds, { updates: ["size"] }), true)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(changedAlso(diffInputs(olds, { ...olds, name: "b" }, { replaces: ["name"] }), false)).toEqual({
            changes: true,
            replaces: ["name"],
            deleteBeforeReplace: false,
        });
    });

    it("is what every dynamic provider's diff answers with", () => {
        const dir = join(ROOT, "dynamic-providers");
        const providers = readdirSync(dir).filter((f) => f.endsWith(".ts"));
        expect(providers.length).toBeGreaterThanOrEqual(14);
        for (const file of providers) {
            const text = readFileSync(join(dir, file), "utf8");
            const diff = text.slice(text.indexOf("async diff("), text.indexOf("\n    },", text.indexOf("async diff(")));
            expect(diff, file).toContain("diffInputs(");
            // Every return goes through the kit: no hand-made `{ changes: … }` answer.
            expect(diff, file).not.toMatch(/return (Promise\.resolve\()?\{ changes/);
        }
    });
});
