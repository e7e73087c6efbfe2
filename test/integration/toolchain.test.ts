// The toolchain driver against the real Go module proxy: a pinned sum that does not match
// what the proxy serves stops the build, and nothing lands in the cache.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../support/exec";
import { ROOT } from "../support/prerequisites";

interface Lock {
    tools: Record<string, { version: string; sum: string; npmPackage?: string }>;
}

const lock = JSON.parse(readFileSync(join(ROOT, "toolchain.lock.json"), "utf8")) as Lock;
const scratch = mkdtempSync(join(tmpdir(), "slipway-toolchain-test-"));

describe("toolchain driver", () => {
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it("refuses to build a module whose sum differs from the lock", async () => {
        const tampered: Lock = structuredClone(lock);
        const tool = "pulumi-language-nodejs";
        tampered.tools[tool]!.sum = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        const lockFile = join(scratch, "lock.json");
        writeFileSync(lockFile, JSON.stringify(tampered));

        const r = await run(join(ROOT, "scripts/toolchain/ensure"), [tool], {
            env: { ...process.env, SLIPWAY_LOCK: lockFile, SLIPWAY_CACHE: join(scratch, "cache") },
            timeoutMs: 180_000,
        });

        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`pins ${tampered.tools[tool]!.sum}; refusing to build it`);
        expect(existsSync(join(scratch, "cache", "tools", `${tool}-${lock.tools[tool]!.version}`))).toBe(false);
    });

    it("names an unknown tool instead of building anything", async () => {
        const r = await run(join(ROOT, "scripts/toolchain/ensure"), ["no-such-tool"]);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("no-such-tool is not in toolchain.lock.json");
    });
});
