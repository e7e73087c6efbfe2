// Platform images assembled from the pinned binaries: reproducible (a second assembly in a
// fresh cache gives the same image ID), runnable by ID, labelled with the module they came from.
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { platformImage } from "../../lib/images";
import { must } from "../support/exec";

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

    it("an image setup never assembled: an error naming the fix", () => {
        expect(() => platformImage("nonesuch", { SLIPWAY_CACHE: fresh })).toThrow(/"nonesuch" has not been assembled.*run scripts\/setup/);
    });
});
