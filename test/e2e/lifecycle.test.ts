// The whole loop with the real Pulumi CLI against this machine's swarm: up, idempotence,
// a config change previewed exactly, drift found by refresh, destroy leaving nothing. What
// exists is checked with the Docker CLI, not taken from Pulumi's word.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, nodeLabels, run } from "../support/exec";
import { changedSteps, throwawayStack, urnsInState, type ThrowawayStack } from "../support/stack";

// A secret the stack holds (dynamic providers receive the whole stack config): it must never
// reach the state in plaintext.
const PLANTED_SECRET = "planted-e2e-secret-value-7f3a";

/** Every file of the file backend, as text. */
function stateText(backend: string): string {
    return readdirSync(backend, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
        .join("\n");
}

describe("local stack lifecycle", () => {
    let t: ThrowawayStack;
    let network: string;
    let labelKey: string;

    beforeAll(async () => {
        t = await throwawayStack((id) => ({
            "slipway:host.networkName": { value: `e2e-${id}-proxy` },
            [`slipway:host.labels["slipway.e2e-${id}"]`]: { value: "one" },
            "slipway:proxy.domain": { value: "e2e.slipway.test" },
            "slipway:ciOAuthClientSecret": { value: PLANTED_SECRET, secret: true },
        }));
        network = `e2e-${t.id}-proxy`;
        labelKey = `slipway.e2e-${t.id}`;
    });
    afterAll(async () => t?.dispose());

    it("up creates the overlay network and the node label", async () => {
        const result = await t.stack.up();
        expect(result.summary.result).toBe("succeeded");
        expect(result.outputs.proxyNetwork?.value).toBe(network);

        const inspected = await docker("network", "inspect", network, "--format", '{{.Driver}} {{.Attachable}} {{.Scope}} {{index .Labels "slipway.stack"}}');
        expect(inspected).toBe(`overlay true swarm ${t.stack.name}`);
        expect((await nodeLabels())[labelKey]).toBe("one");

        const state = stateText(t.backend);
        expect(state).toContain(network);
        expect(state).not.toContain(PLANTED_SECRET);
    });

    it("a second up changes nothing", async () => {
        const changes = changedSteps();
        const result = await t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
        expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    it("preview after a config change shows exactly that change, and up applies it", async () => {
        await t.stack.setConfig(`slipway:host.labels["${labelKey}"]`, { value: "two" }, true);
        const changes = changedSteps();
        await t.stack.preview({ onEvent: changes.onEvent });

        expect(changes.steps).toEqual([{ op: "update", urn: expect.stringMatching(new RegExp(`label-${labelKey.replace(/\./g, "\\.")}$`)) as unknown }]);

        await t.stack.up();
        expect((await nodeLabels())[labelKey]).toBe("two");
    });

    it("refresh reports a network deleted out of band, and up recreates it", async () => {
        await docker("network", "rm", network);
        const isNetwork = (urn: string) => urn.endsWith("SwarmNetwork::slipway-host-proxy");
        expect((await urnsInState(t.stack)).filter(isNetwork)).toHaveLength(1);

        const refresh = await t.stack.refresh();

        expect(refresh.summary.resourceChanges?.delete).toBe(1);
        const remaining = await urnsInState(t.stack);
        expect(remaining.filter(isNetwork)).toEqual([]);
        expect(remaining.some((urn) => urn.endsWith(`label-${labelKey}`))).toBe(true);

        await t.stack.up();
        expect(await docker("network", "inspect", network, "--format", "{{.Driver}}")).toBe("overlay");
    });

    it("destroy leaves no network, label, service, secret, config or volume behind", async () => {
        const result = await t.stack.destroy();
        expect(result.summary.result).toBe("succeeded");

        expect((await run("docker", ["network", "inspect", network])).code).not.toBe(0);
        expect((await nodeLabels())[labelKey]).toBeUndefined();
        const filter = `label=slipway.stack=${t.stack.name}`;
        for (const kind of ["network", "service", "secret", "config", "volume"]) {
            expect(await docker(kind, "ls", "--quiet", "--filter", filter), kind).toBe("");
        }
    });
});
