// SwarmStackProbe's provider against this machine's real swarm: a stack with all its services
// is no change; one removed by hand is, and its generation goes up so the deploy runs again.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingServices } from "../../lib/docker/stack";
import { SWARM_STACK_PROBE_VERSION, swarmStackProbeProvider } from "../../dynamic-providers/swarmStackProbe";
import { docker, must, run } from "../support/exec";
import { scratchDir } from "../support/tmp";
import { platformImage } from "../../lib/images/images";

const endpoint = "unix:///var/run/docker.sock";
const stack = `it-probe-${randomBytes(3).toString("hex")}`;
const inputs = { endpoint, stack, services: ["web"], version: SWARM_STACK_PROBE_VERSION };

async function deploy() {
    const image = platformImage("traefik").ref;
    const file = join(scratchDir("probe-"), "compose.json");
    writeFileSync(file, JSON.stringify({ version: "3.8", services: { web: { image, command: ["--ping=true"] } } }));
    await must("docker", ["stack", "deploy", "--resolve-image", "never", "--quiet", "-c", file, stack]);
}

describe("swarm stack probe", () => {
    beforeAll(deploy);
    afterAll(async () => {
        await run("docker", ["stack", "rm", stack]);
    });

    it("a stack with every declared service is no change", async () => {
        expect(await missingServices(endpoint, stack, ["web"])).toEqual([]);
        expect(await swarmStackProbeProvider.diff!("id", { ...inputs, generation: 1 }, inputs)).toEqual({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("a stack removed by hand is a change, and the update raises the generation", async () => {
        await docker("stack", "rm", stack);
        expect(await missingServices(endpoint, stack, ["web"])).toEqual(["web"]);
        expect(await swarmStackProbeProvider.diff!("id", { ...inputs, generation: 1 }, inputs)).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect((await swarmStackProbeProvider.update!("id", { ...inputs, generation: 1 }, inputs)).outs).toMatchObject({ generation: 2 });
        // Deployed again (once swarm has let go of its network: bounded), it is complete: no further change.
        for (let i = 0; i < 60 && (await docker("network", "ls", "--quiet", "--filter", `label=com.docker.stack.namespace=${stack}`)) !== ""; i++)
            await new Promise((r) => setTimeout(r, 500));
        await deploy();
        expect(await swarmStackProbeProvider.diff!("id", { ...inputs, generation: 2 }, inputs)).toEqual({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("an unreachable engine is an error naming it, never a silent pass", async () => {
        await expect(missingServices("unix:///nonexistent/docker.sock", stack, ["web"])).rejects.toThrow(/unix:\/\/\/nonexistent\/docker\.sock/);
    });
});
