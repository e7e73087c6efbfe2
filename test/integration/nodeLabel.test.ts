// The node-label scripts run for real against this machine's swarm manager.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { renderNodeLabelScripts } from "../../lib/render/nodeLabel";
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

    it("removing a label that is already gone succeeds (destroy after out-of-band removal)", async () => {
        await expect(sh(renderNodeLabelScripts(key, "x").delete)).resolves.toBe("");
    });
});
