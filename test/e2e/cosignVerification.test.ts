// CosignVerification through the real CLI: an unsigned artifact fails `pulumi up` and exports
// nothing; once signed by the real cosign CLI the same stack succeeds with the proven digest;
// a signature removed afterwards shows up as drift on refresh.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { digestTag } from "../../lib/oci/reference";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { pushImage } from "../support/images";
import { ROOT } from "../support/prerequisites";
import { startRegistry, type RunningRegistry } from "../support/registries";
import { throwawayStack, type ThrowawayStack } from "../support/stack";

describe("CosignVerification in a real pulumi up", () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;
    let t: ThrowawayStack;
    let digest: string;

    beforeAll(async () => {
        [registry, keys] = await Promise.all([startRegistry("distribution"), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        digest = (await pushImage(client, "apps/web", "v1", "e2e")).digest;
        t = await throwawayStack(
            () => ({
                "slipway-verify-artifact:reference": { value: `${registry.host}/apps/web:v1` },
                "slipway-verify-artifact:publicKey": { value: keys.publicKeyPem },
                "slipway-verify-artifact:insecure": { value: "true" },
            }),
            join(ROOT, "examples", "verify-artifact"),
        );
    });
    afterAll(async () => {
        await t?.dispose();
        client?.close();
        await registry?.stop();
    });

    it("an unsigned artifact fails the update, saying why", async () => {
        await expect(t.stack.up()).rejects.toThrow(/no signature found/);
        expect(await t.stack.outputs()).toEqual({});
    });

    it("the same stack succeeds once the artifact is signed, exporting the proven digest", async () => {
        await cosignSign(keys, `${registry.host}/apps/web@${digest}`, { legacy: true });
        const result = await t.stack.up();
        expect(result.outputs.digest?.value).toBe(digest);
        expect(result.outputs.layout?.value).toBe("legacy-sig-tag");
    });

    it("a signature removed afterwards is drift on refresh", async () => {
        const sig = await client.getManifest("apps/web", digestTag(digest, ".sig"));
        await client.deleteManifest("apps/web", sig.digest);
        await t.stack.refresh();

        // This engine counts a refreshed output as "same" in its summary: read the state itself.
        const state = await t.stack.exportStack();
        const resources = (state.deployment as { resources: Array<{ type: string; outputs: Record<string, unknown> }> }).resources;
        const verification = resources.find((r) => r.type.endsWith("CosignVerification"))!;
        expect(verification.outputs.signer).toBe("");
        expect(verification.outputs.failure).toContain("no signature found");
        // …and the next update proves it again instead of carrying the broken proof forward.
        await expect(t.stack.up()).rejects.toThrow(/no signature found/);
    });
});
