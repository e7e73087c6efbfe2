// `npm run bump` against the real Go module proxy and npm registry, on a copy of the lock.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../support/exec";
import { ROOT } from "../support/prerequisites";

const dir = mkdtempSync(join(tmpdir(), "slipway-bump-test-"));
const lockCopy = join(dir, "toolchain.lock.json");
copyFileSync(join(ROOT, "toolchain.lock.json"), lockCopy);
const bump = (...args: string[]) =>
    run("npm", ["run", "--silent", "bump", "--", ...args], { cwd: ROOT, env: { ...process.env, SLIPWAY_LOCK: lockCopy }, timeoutMs: 180_000 });

describe("npm run bump", () => {
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("leaves the lock unchanged when the proxy does not serve the version", async () => {
        const before = readFileSync(lockCopy, "utf8");
        const r = await bump("pulumi", "3.249.0");
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("does not serve github.com/pulumi/pulumi/pkg/v3@v3.249.0");
        expect(readFileSync(lockCopy, "utf8")).toBe(before);
    });

    it("rewrites the pin with the sums the proxy serves", async () => {
        const r = await bump("pulumi", "3.250.0");
        expect(r.code, r.stderr).toBe(0);
        const pin = (
            JSON.parse(readFileSync(lockCopy, "utf8")) as { tools: Record<string, { version: string; sum: string; extraModules: Array<{ sum: string }> }> }
        ).tools.pulumi!;
        expect(pin.version).toBe("3.250.0");
        expect(pin.sum).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
        expect(pin.extraModules[0]!.sum).toMatch(/^h1:/);
        expect(r.stdout).toContain("npm install --save-exact @pulumi/pulumi@3.250.0");
    });

    it("pins a disk-image package from Debian's index, fetched and checked, and refuses one apt does not know", async () => {
        const lock = () => JSON.parse(readFileSync(lockCopy, "utf8")) as { debs: Record<string, { version: string; sha256: string }> };
        const pinned = lock().debs["busybox-static:arm64"]!;
        const edited = lock();
        delete edited.debs["busybox-static:arm64"];
        writeFileSync(lockCopy, JSON.stringify(edited));
        const r = await bump("deb", "busybox-static:arm64", pinned.version);
        expect(r.code, r.stderr).toBe(0);
        expect(lock().debs["busybox-static:arm64"]).toEqual(pinned);

        const before = readFileSync(lockCopy, "utf8");
        const missing = await bump("deb", "linux-image-6.1.0-1-cloud-arm64:arm64");
        expect(missing.code).not.toBe(0);
        expect(missing.stderr).toMatch(/apt knows no linux-image-6\.1\.0-1-cloud-arm64:arm64/);
        expect(readFileSync(lockCopy, "utf8")).toBe(before);
    });
});
