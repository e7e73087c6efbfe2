// An existing stack, deployed by an earlier Slipway, taken over by this checkout: the up changes
// nothing, and refresh and destroy still work. Those two run the code the STATE holds, not this
// checkout's: a dynamic resource's read and delete are its serialized provider as deployed (which
// loads bin/lib/<module>.js by the path it was built with), and a command's delete is the command
// line as deployed (node bin/scripts/<worker>.js …). So a refactor that moves a provider-loaded
// module or a worker fails here, where a fresh stack of the new code would not notice.
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { RegistryClient } from "../../lib/oci/client";
import { docker, must, run } from "../support/exec";
import { pushImage } from "../support/images";
import { freePort, startRegistry, type RunningRegistry } from "../support/registries";
import { THROWAWAY_PASSPHRASE, changedSteps, throwawayPlatform, throwawayStack, urnsInState, type ThrowawayStack } from "../support/stack";
import { ROOT } from "../support/prerequisites";
import { cosignKeys } from "../support/cosign";
import { pushSignedStaging, registryAccess } from "../support/platformRegistry";

/**
 * The Slipway that deployed the stack: main before the layout refactor (#18) moved components,
 * lib and tooling by subsystem. Bump it to the newest release whose state must keep working.
 */
const BASELINE = "45f90031b33ffca25e77d995021d21ead60734b4";
/** The commit the promoted staging image is labelled with. */
const REVISION = "7a1f0c2d3b4a59687766554433221100ffeeddcc";

/** A copy of Slipway at `commit`, compiled, sharing this checkout's node_modules. */
async function checkoutAt(commit: string): Promise<string> {
    const known = await run("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: ROOT });
    if (known.code !== 0)
        throw new Error(`the baseline commit ${commit} is not in this clone: clone Slipway with its history (git clone, not --depth), or git fetch it`);
    const dir = mkdtempSync(join(tmpdir(), "slipway-e2e-baseline-"));
    await must("sh", ["-c", `git archive ${commit} | tar -x -C "${dir}"`], { cwd: ROOT });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    await must(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: dir, timeoutMs: 300_000 });
    return dir;
}

describe("a stack deployed by an earlier Slipway", () => {
    let baseline: string;
    let upstream: RunningRegistry;
    let t: ThrowawayStack;
    /** The same stack, on the same backend, run by this checkout. */
    let current: Stack;
    /** What the earlier Slipway promoted (the `promotions` output). */
    let promoted: unknown;

    beforeAll(async () => {
        baseline = await checkoutAt(BASELINE);
        upstream = await startRegistry("distribution");
        const client = new RegistryClient({ registry: upstream.host, scheme: "http", credentials: null });
        const digest = (await pushImage(client, "library/tool", "1.0", "an upstream tool")).digest;
        client.close();
        const [http, https] = [await freePort(), await freePort()];
        const site = await cosignKeys("e2e-upgrade-key-password");
        // What the local stack runs (forge and CI, the registry with an entry and a mirror), and a
        // promotion (a signature verified, a digest moved), on its own network and ports.
        t = await throwawayStack(
            (id) => ({
                ...throwawayPlatform(id, { http, https }),
                "slipway:forge.engine": { value: "gitea" },
                "slipway:registry.repositories[0]": { value: "apps/declared" },
                "slipway:registry.mirrors[0].from": { value: `${upstream.host}/library/tool:1.0@${digest}` },
                "slipway:registry.mirrors[0].to": { value: "mirror/tool" },
            }),
            baseline,
        );
        await t.stack.up();
        // CI's signed staging build, promoted by the earlier Slipway: its CosignVerification and ImagePromotion are in the state too.
        await pushSignedStaging(t.stack, REVISION, site);
        const host = (await registryAccess(t.stack)).host;
        for (const [key, value] of Object.entries({
            name: "web",
            source: `${host}/apps/web:staging`,
            target: `${host}/apps/web:prod`,
            expectedRevision: REVISION,
        }))
            await t.stack.setConfig(`slipway:promotion[0].${key}`, { value }, true);
        await t.stack.setConfig("slipway:signing.publicKey", { value: site.publicKeyPem }, true);
        await t.stack.up();
        promoted = (await t.stack.outputs()).promotions?.value;
        expect(Object.keys(promoted as object)).toEqual(["web"]);
        // The stack's settings (its config and secrets salt) live beside the project: take them along.
        copyFileSync(join(baseline, `Pulumi.${t.stack.name}.yaml`), join(ROOT, `Pulumi.${t.stack.name}.yaml`));
        current = await LocalWorkspace.selectStack(
            { stackName: t.stack.name, workDir: ROOT },
            { envVars: { PULUMI_BACKEND_URL: `file://${t.backend}`, PULUMI_CONFIG_PASSPHRASE: THROWAWAY_PASSPHRASE } },
        );
    });
    afterAll(async () => {
        // Destroyed by this checkout when a test got that far; by the baseline otherwise.
        try {
            await current?.destroy();
        } finally {
            await t?.dispose();
            if (t) rmSync(join(ROOT, `Pulumi.${t.stack.name}.yaml`), { force: true });
            await upstream?.stop();
            if (baseline) rmSync(baseline, { recursive: true, force: true });
        }
    });

    it("this checkout's up changes nothing: same URNs, no replacement, no command re-run", async () => {
        const before = await urnsInState(t.stack);
        const changes = changedSteps();
        const result = await current.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
        expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
        expect((await urnsInState(current)).sort()).toEqual(before.sort());
        expect((await current.outputs()).promotions?.value).toEqual(promoted);
    });

    it("every resource is under the Platform: each component's children are parented, none hangs off the stack", async () => {
        const resources = ((await current.exportStack()).deployment as { resources: Array<{ urn: string; type: string; parent?: string }> }).resources;
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const platform = resources.find((r) => r.type === "slipway:index:Platform");
        expect(platform).toBeDefined();
        const orphans = resources
            .filter((r) => r !== platform && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
            .filter((r) => {
                let parent = r.parent;
                for (let hops = 0; parent && parent !== platform!.urn && hops < 10; hops++) parent = byUrn.get(parent)?.parent;
                return parent !== platform!.urn;
            })
            .map((r) => r.urn);
        expect(orphans).toEqual([]);
        expect(resources.length).toBeGreaterThan(20);
    });

    it("refresh runs the deployed providers' reads, and finds nothing drifted", async () => {
        const refreshed = await current.refresh();
        expect(refreshed.summary.result).toBe("succeeded");
        const changes = changedSteps();
        await current.preview({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
    });

    it("destroy runs the deployed deletes and leaves nothing behind", async () => {
        const network = `e2e-${t.id}-proxy`;
        await current.destroy();
        expect(await urnsInState(current)).toEqual([]);
        expect(await docker("network", "ls", "--filter", `name=${network}`, "--format", "{{.Name}}")).toBe("");
        expect(await docker("stack", "ls", "--format", "{{.Name}}")).not.toContain(t.stack.name);
    });
});
