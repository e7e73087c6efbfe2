// The node-label scripts run for real against this machine's swarm manager.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { nodeUpdate } from "../../lib/docker/cli";
import { renderNodeLabelScripts } from "../../lib/docker/nodeLabel";
import { must, nodeLabels } from "../support/exec";

const key = `slipway.it-${randomBytes(3).toString("hex")}`;
const sh = (script: string) => must("/bin/sh", ["-c", script]);

describe("node label scripts", () => {
    afterAll(async () => sh(renderNodeLabelScripts(key, "").delete));

    it("add, change and remove a label on the manager node", async () => {
        await sh(renderNodeLabelScripts(key, "a b'c").create);
        expect((await nodeLabels())[key]).toBe("a b'c");

        await sh(renderNodeLabelScripts(key, "second").create);
        expect((await nodeLabels())[key]).toBe("second");

        await sh(renderNodeLabelScripts(key, "second").delete);
        expect((await nodeLabels())[key]).toBeUndefined();
    });

    it("concurrent updates of one node all land (a stack adds and removes its labels in parallel)", async () => {
        // Bare `docker node update` run six at a time loses about half to "update out of sequence".
        const keys = Array.from({ length: 6 }, (_, i) => `${key}-c${i}`);
        try {
            await Promise.all(keys.map((k) => sh(renderNodeLabelScripts(k, "x").create)));
            const labels = await nodeLabels();
            expect(keys.filter((k) => labels[k] !== "x")).toEqual([]);
        } finally {
            await Promise.all(keys.map((k) => sh(renderNodeLabelScripts(k, "x").delete)));
        }
        const labels = await nodeLabels();
        expect(keys.filter((k) => k in labels)).toEqual([]);
    });

    it("nodeUpdate (the worker provider's) retries the same race until every update lands", async () => {
        const node = (await must("docker", ["info", "--format", "{{.Swarm.NodeID}}"])).trim();
        const keys = Array.from({ length: 6 }, (_, i) => `${key}-n${i}`);
        try {
            await Promise.all(keys.map((k) => nodeUpdate("unix:///var/run/docker.sock", ["--label-add", `${k}=y`, node])));
            const labels = await nodeLabels();
            expect(keys.filter((k) => labels[k] !== "y")).toEqual([]);
        } finally {
            await Promise.all(keys.map((k) => nodeUpdate("unix:///var/run/docker.sock", ["--label-rm", k, node])));
        }
    });

    it("removing a label that is already gone succeeds (destroy after out-of-band removal)", async () => {
        await expect(sh(renderNodeLabelScripts(key, "x").delete)).resolves.toBe("");
    });
});
