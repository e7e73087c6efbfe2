// CosignVerification through the real CLI: an unsigned artifact fails `pulumi up` and exports
// nothing; once signed by the real cosign CLI the same stack succeeds with the proven digest;
// a signature removed afterwards shows up as drift on refresh.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestTag } from "../../lib/oci/reference";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { pushImage } from "../support/images";
import { exampleWithRegistry, type ExampleWithRegistry } from "../support/stack";

describe("CosignVerification in a real pulumi up", () => {
    let env: ExampleWithRegistry;
    let keys: CosignKeys;
    let digest: string;

    beforeAll(async () => {
        keys = await cosignKeys();
        env = await exampleWithRegistry("verify-artifact", (host) => ({
            "slipway-verify-artifact:reference": { value: `${host}/apps/web:v1` },
            "slipway-verify-artifact:publicKey": { value: keys.publicKeyPem },
            "slipway-verify-artifact:insecure": { value: "true" },
        }));
        digest = (await pushImage(env.client, "apps/web", "v1", "e2e")).digest;
    });
    afterAll(async () => env?.dispose());

    it("an unsigned artifact fails the update, saying why", async () => {
        await expect(env.t.stack.up()).rejects.toThrow(/no signature found/);
        expect(await env.t.stack.outputs()).toEqual({});
    });

    it("the same stack succeeds once the artifact is signed, exporting the proven digest", async () => {
        await cosignSign(keys, `${env.registry.host}/apps/web@${digest}`, { legacy: true });
        const result = await env.t.stack.up();
        expect(result.outputs.digest?.value).toBe(digest);
        expect(result.outputs.layout?.value).toBe("legacy-sig-tag");
    });

    it("a signature removed afterwards is drift on refresh", async () => {
        const sig = await env.client.getManifest("apps/web", digestTag(digest, ".sig"));
        await env.client.deleteManifest("apps/web", sig.digest);
        await env.t.stack.refresh();

        // This engine counts a refreshed output as "same" in its summary: read the state itself.
        const state = await env.t.stack.exportStack();
        const resources = (state.deployment as { resources: Array<{ type: string; outputs: Record<string, unknown> }> }).resources;
        const verification = resources.find((r) => r.type.endsWith("CosignVerification"))!;
        expect(verification.outputs.signer).toBe("");
        expect(verification.outputs.failure).toContain("no signature found");
        // …and the next update proves it again instead of carrying the broken proof forward.
        await expect(env.t.stack.up()).rejects.toThrow(/no signature found/);
    });
});
