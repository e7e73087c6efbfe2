// Retention against a real registry with real cosign signatures: the plan keeps exactly the
// newest per group, every kept reference still pulls (skopeo) with its signature intact,
// nothing protected goes; a run capped half-way, then run again, converges to the same end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { digestTag } from "../../lib/oci/reference";
import { verifyImage } from "../../lib/cosign/verifyImage";
import { CREATED, planRetention } from "../../lib/retention/plan";
import { applyPlan, scanRepository } from "../../lib/retention/registry";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { must, run } from "../support/exec";
import { pushImage } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const GROUP = ["dev.slipway.family", "dev.slipway.arch"];

describe("retention on distribution with real signatures", () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;
    const published: Array<{ family: string; n: number; digest: string }> = [];

    beforeAll(async () => {
        [registry, keys] = await Promise.all([startRegistry("distribution"), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        for (const family of ["iso", "qcow2"]) {
            for (let n = 0; n < 5; n++) {
                // Tags in the reverse of creation order: retention must not go by tag.
                const { digest } = await pushImage(client, "node/edge", `${family}-${9 - n}`, `${family} build ${n}`, {
                    annotations: { "dev.slipway.family": family, "dev.slipway.arch": "amd64", [CREATED]: `2026-11-0${n + 1}T00:00:00Z` },
                });
                await cosignSign(keys, `${registry.host}/node/edge@${digest}`);
                published.push({ family, n, digest });
            }
        }
    });
    afterAll(async () => {
        client?.close();
        await registry?.stop();
    });

    const digestsOf = (pred: (p: (typeof published)[number]) => boolean) => published.filter(pred).map((p) => p.digest);

    it("a capped run, then a full run, keep exactly the newest 3 per group and what is protected", async () => {
        const protect = digestsOf((p) => p.family === "iso" && p.n === 0);
        const options = { groupBy: GROUP, keep: 3, protect };

        const first = planRetention(await scanRepository(client, "node/edge"), { ...options, maxDeletes: 2 });
        expect(first.capped).toBe(true);
        await applyPlan(client, "node/edge", first);

        const second = planRetention(await scanRepository(client, "node/edge"), options);
        expect(second.capped).toBe(false);
        await applyPlan(client, "node/edge", second);

        const kept = digestsOf((p) => p.n >= 2 || (p.family === "iso" && p.n === 0));
        const gone = digestsOf((p) => !kept.includes(p.digest));
        expect(gone).toHaveLength(3);
        const remaining = (await scanRepository(client, "node/edge")).map((p) => p.digest).sort();
        expect(remaining).toEqual([...kept].sort());
        expect(planRetention(await scanRepository(client, "node/edge"), options).deletions).toEqual([]);

        for (const digest of kept) {
            expect(await must("skopeo", ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", `docker://${registry.host}/node/edge@${digest}`])).toBe(digest);
            await expect(verifyImage(client, "node/edge", digest, { publicKey: keys.publicKeyPem })).resolves.toMatchObject({ digest });
        }
        for (const digest of gone) {
            expect((await run("skopeo", ["inspect", "--tls-verify=false", `docker://${registry.host}/node/edge@${digest}`])).code).not.toBe(0);
            // No fallback index is left listing a deleted signature.
            await expect(client.getManifest("node/edge", digestTag(digest))).rejects.toMatchObject({ status: 404 });
        }
    });
});

describe("retention on a registry that refuses deletes", () => {
    it("stops with an error naming storage.delete.enabled, deleting nothing", async () => {
        const registry = await startRegistry("distribution", { deleteEnabled: false });
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        try {
            const digests = [];
            for (let n = 0; n < 2; n++) digests.push((await pushImage(client, "node/edge", `b${n}`, `build ${n}`, { annotations: { "dev.slipway.family": "iso", [CREATED]: `2026-11-0${n + 1}T00:00:00Z` } })).digest);
            const plan = planRetention(await scanRepository(client, "node/edge"), { groupBy: GROUP, keep: 1 });
            expect(plan.deletions).toEqual([digests[0]]);
            await expect(applyPlan(client, "node/edge", plan)).rejects.toThrow("the registry refuses deletes: enable storage.delete.enabled");
            expect(await client.resolve("node/edge", "b0")).toBe(digests[0]);
        } finally {
            client.close();
            await registry.stop();
        }
    });
});
