// lib/docker/network against this machine's real swarm.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createNetwork, inspectNetwork, removeNetwork, type NetworkSpec } from "../../lib/docker/network";
import { docker, run } from "../support/exec";

const endpoint = "unix:///var/run/docker.sock";
const name = `it-${randomBytes(4).toString("hex")}`;
const spec: NetworkSpec = { name, driver: "overlay", attachable: true, labels: { "slipway.stack": "it", "slipway.role": "proxy" } };

describe("swarm networks", () => {
    afterAll(async () => {
        await run("docker", ["network", "rm", name]);
    });

    it("creates an attachable overlay network with its labels", async () => {
        const state = await createNetwork(endpoint, spec);
        expect(state).toMatchObject({ ...spec, scope: "swarm" });
        expect(await docker("network", "inspect", name, "--format", "{{.Driver}} {{.Attachable}} {{.Scope}}")).toBe("overlay true swarm");
    });

    it("adopts the same network on a re-run (an interrupted create converges)", async () => {
        const first = await inspectNetwork(endpoint, name);
        expect((await createNetwork(endpoint, spec)).id).toBe(first!.id);
    });

    it("refuses a same-named network that is not this stack's", async () => {
        await expect(createNetwork(endpoint, { ...spec, labels: { "slipway.stack": "another" } })).rejects.toThrow(`a network named "${name}" already exists`);
    });

    it("reports a missing network as absent, and removal of one already gone succeeds", async () => {
        const id = (await inspectNetwork(endpoint, name))!.id;
        await removeNetwork(endpoint, id);
        expect(await inspectNetwork(endpoint, id)).toBeUndefined();
        await expect(removeNetwork(endpoint, id)).resolves.toBeUndefined();
    });

    it("names the endpoint and Docker's words when the engine cannot be reached", async () => {
        await expect(inspectNetwork("unix:///nonexistent/docker.sock", name)).rejects.toThrow(
            /on unix:\/\/\/nonexistent\/docker.sock failed: .*(connect|Cannot)/,
        );
    });
});
