// A site's data volumes against the real engine: made once (an existing one adopted with its
// data), kept by destroy unless the site says delete, and never touched by removing a stack.
import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { renderStackScripts, renderVolumeScripts } from "../../lib/docker/swarmScripts";
import { docker, must, run } from "../support/exec";

const name = `slipway-it-data-${randomBytes(3).toString("hex")}`;
const sh = (script: string) => run("bash", ["-c", script]);
const exists = async () => (await run("docker", ["volume", "inspect", name])).code === 0;

describe("data volumes", () => {
    afterAll(async () => {
        await run("docker", ["volume", "rm", "--force", name]);
    });

    it("are created with the site's labels, and an existing one is adopted as it is, data included", async () => {
        const scripts = renderVolumeScripts(name, { "slipway.stack": "it", "slipway.data": "registry" }, "retain");
        expect((await sh(scripts.create)).code).toBe(0);
        expect(await docker("volume", "inspect", "--format", '{{index .Labels "slipway.data"}}', name)).toBe("registry");
        const mount = await docker("volume", "inspect", "--format", "{{.Mountpoint}}", name);
        await must("bash", ["-c", `echo kept > ${mount}/blob`]);
        expect((await sh(scripts.create)).code).toBe(0);
        expect(await must("cat", [`${mount}/blob`])).toBe("kept");
    });

    it("destroy with retain keeps the volume and says so; removing a stack never touches it", async () => {
        const retain = renderVolumeScripts(name, {}, "retain");
        const result = await sh(retain.delete);
        expect(result).toMatchObject({ code: 0, stderr: `kept the data volume ${name} (host.dataOnDestroy is retain)` });
        expect(await exists()).toBe(true);
        // A stack's removal (of a stack that does not exist here) removes no volume, whatever its labels.
        expect((await sh(renderStackScripts(name.replace(/-/g, "_")).delete)).code).toBe(0);
        expect(await exists()).toBe(true);
    });

    it("destroy with delete removes it; a second delete finds it gone and is done", async () => {
        const del = renderVolumeScripts(name, {}, "delete");
        expect((await sh(del.delete)).code).toBe(0);
        expect(await exists()).toBe(false);
        expect((await sh(del.delete)).code).toBe(0);
    });
});
