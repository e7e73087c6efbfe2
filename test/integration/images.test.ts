// Platform images assembled from the pinned binaries: reproducible (a second assembly in a
// fresh cache gives the same image ID), runnable by ID, labelled with the module they came from.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { platformImage } from "../../lib/images";
import { must, run } from "../support/exec";

const cache = process.env.SLIPWAY_CACHE ?? join(homedir(), ".cache", "slipway");
const fresh = mkdtempSync(join(tmpdir(), "slipway-images-"));

describe("platform images", () => {
    afterAll(() => rmSync(fresh, { recursive: true, force: true }));

    it.each(["registry", "woodpecker-server"])("%s: assembled again from the same binaries, the same image ID", async (name) => {
        const assembled = platformImage(name);
        symlinkSync(join(cache, "tools"), join(fresh, "tools"));
        try {
            await must("scripts/images/assemble", [name], { env: { ...process.env, SLIPWAY_CACHE: fresh } });
            expect(platformImage(name, { SLIPWAY_CACHE: fresh })).toEqual(assembled);
        } finally {
            rmSync(join(fresh, "tools"));
        }
    });

    it.each([
        ["registry", "v3.1.2"],
        ["traefik", "3.6.15"],
        ["woodpecker-server", "1.0.5"],
        ["woodpecker-agent", "1.0.5"],
    ])("%s runs by ID and is the pinned version", async (name, version) => {
        const { id } = platformImage(name);
        const output = await must("docker", ["run", "--rm", id, name === "traefik" ? "version" : "--version"]);
        expect(output).toContain(version);
        expect(await must("docker", ["image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.version"}}', id])).toBe(version.replace(/^v/, ""));
    });

    it("setup stops at the first image it cannot assemble, saying which and why", async () => {
        const lock = JSON.parse(readFileSync("toolchain.lock.json", "utf8")) as { images: Record<string, unknown> };
        // Sorted first, so images after it would still be assembled if a failure were ignored.
        lock.images = { "aaa-broken": { tool: "traefik", binary: "no-such-binary", entrypoint: ["x"] }, ...lock.images };
        writeFileSync(join(fresh, "lock.json"), JSON.stringify(lock));
        const result = await run("scripts/setup", [], { env: { ...process.env, SLIPWAY_LOCK: join(fresh, "lock.json") }, timeoutMs: 300_000 });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("no-such-binary is missing");
        expect(result.stderr).toContain("setup: step 'platform images' failed");
        expect(result.stderr).not.toContain("slipway/registry:");
    }, 300_000);

    it("an image setup never assembled: an error naming the fix", () => {
        expect(() => platformImage("nonesuch", { SLIPWAY_CACHE: fresh })).toThrow(/"nonesuch" has not been assembled.*run scripts\/setup/);
    });
});
