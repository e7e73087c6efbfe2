// Retention against a real registry with real 2-arch indexes and real cosign signatures (both
// layouts): the plan keeps exactly the newest per group, every kept reference still pulls
// (skopeo) with its signature intact, nothing protected goes; a run killed right after a
// deletion, then run again, converges to the same end state.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { digestTag } from "../../lib/oci/reference";
import { verifyImage } from "../../lib/cosign/verifyImage";
import { CREATED, planRetention, type RetentionOptions } from "../../lib/retention/plan";
import { prune, scanRepository } from "../../lib/retention/registry";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { run } from "../support/exec";
import { pushImage, pushIndex } from "../support/images";
import { startProxy } from "../support/proxy";
import { retainInChild } from "../support/retainChild";
import { startRegistry, type RunningRegistry } from "../support/registries";

const FAMILY = "dev.slipway.family";
const PLATFORM = "dev.slipway.platform";
const GROUP = [PLATFORM, FAMILY];
const FAMILIES = ["kernel-initrd", "raw", "iso", "ipxe", "qcow2"];

interface Published {
    family: string;
    n: number;
    digest: string;
    children: string[];
}

/**
 * `perFamily` signed 2-arch indexes per family, children untagged, tags in the reverse of
 * creation order (retention must not go by tag); each index and child signed (cosign --recursive),
 * alternating the legacy `.sig` layout and bundles.
 */
async function publish(client: RegistryClient, registry: string, repo: string, keys: CosignKeys, families: string[], perFamily: number): Promise<Published[]> {
    const published: Published[] = [];
    for (const family of families) {
        for (let n = 0; n < perFamily; n++) {
            const created = new Date(Date.UTC(2026, 10, 1, n)).toISOString();
            const index = await pushIndex(
                client,
                repo,
                `${family}-${perFamily - 1 - n}`,
                {},
                { tagChildren: false, annotations: { [PLATFORM]: "edge", [FAMILY]: family, [CREATED]: created } },
            );
            published.push({ family, n, digest: index.digest, children: [index.amd64.digest, index.arm64.digest] });
        }
    }
    // Signing is the slow part (a cosign process each): a few at a time.
    const queue = [...published];
    const signer = async () => {
        for (let p = queue.shift(); p; p = queue.shift()) await cosignSign(keys, `${registry}/${repo}@${p.digest}`, { legacy: p.n % 2 === 0, recursive: true });
    };
    await Promise.all([signer(), signer(), signer()]);
    return published;
}

const pulls = async (registry: string, repo: string, digest: string) =>
    (await run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${registry}/${repo}@${digest}`])).code === 0;

describe("retention on distribution: 5 groups × 10 signed 2-arch indexes", () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;
    let published: Published[];

    beforeAll(async () => {
        [registry, keys] = await Promise.all([startRegistry("distribution"), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        published = await publish(client, registry.host, "node/edge", keys, FAMILIES, 10);
    }, 180_000);
    afterAll(async () => {
        client?.close();
        await registry?.stop();
    });

    it("keeps exactly the newest 3 per group and what is protected; kept ones pull with their signatures; nothing else is left", async () => {
        const protectedOne = published.find((p) => p.family === "iso" && p.n === 1)!;
        const options: RetentionOptions = { groupBy: GROUP, keep: 3, protect: [protectedOne.digest], maxDeletes: 1000 };

        const before = client.requests;
        const scan = await scanRepository(client, "node/edge");
        // One tag page, one probe of the referrers API, and one read per manifest that exists:
        // 50 indexes, 100 children, and for 25 × 3 of them a .sig manifest, for the other 25 × 3
        // a fallback index and a bundle. No request for a signature that is not there.
        expect(client.requests - before).toBe(1 + 1 + 50 + 100 + 75 + 75 + 75);
        const plan = planRetention(scan.publications, options);
        expect(plan.groups.map((g) => [g.group[FAMILY], g.kept.length])).toEqual([...FAMILIES].sort().map((f) => [f, f === "iso" ? 4 : 3]));
        const { deleted } = await prune(client, "node/edge", options);
        expect([...deleted].sort()).toEqual([...plan.deletions].sort());

        const kept = published.filter((p) => p.n >= 7 || p === protectedOne);
        const gone = published.filter((p) => !kept.includes(p));
        expect(kept).toHaveLength(16);
        const after = await scanRepository(client, "node/edge");
        expect(after.publications.map((p) => p.digest).sort()).toEqual(kept.map((p) => p.digest).sort());
        expect(after.journals).toEqual([]);
        expect(planRetention(after.publications, options).deletions).toEqual([]);

        for (const p of kept) {
            for (const digest of [p.digest, ...p.children]) expect(await pulls(registry.host, "node/edge", digest)).toBe(true);
            await expect(verifyImage(client, "node/edge", p.digest, { publicKey: keys.publicKeyPem })).resolves.toMatchObject({
                digest: p.digest,
                layout: p.n % 2 === 0 ? "legacy-sig-tag" : "bundle-fallback-tag",
            });
        }
        for (const p of gone) {
            for (const digest of [p.digest, ...p.children]) expect(await pulls(registry.host, "node/edge", digest)).toBe(false);
            // Neither signature layout is left behind for a deleted manifest.
            for (const tag of [digestTag(p.digest), digestTag(p.digest, ".sig")])
                await expect(client.getManifest("node/edge", tag)).rejects.toMatchObject({ status: 404 });
        }
    });
});

/** Runs the provider's own update path (lib/retention/retainReference) in a child process. */
const retainChild = (registry: string, repository: string, options: RetentionOptions, previewed: string[]) =>
    retainInChild(join(process.cwd(), "bin", "lib", "retention", "retainReference.js"), registry, repository, options, previewed);

describe("retention killed half-way", () => {
    // Killed after 3 deletions, the oldest publication has lost its 3 signature tags and still
    // has its own; after 30, every doomed tag is gone and 6 manifests are deleted, the rest only
    // in the run's journal. Both must converge on a re-run.
    it.each([3, 30])(
        "killed right after deletion %i, then run again: the end state of an uninterrupted run, no tag naming a missing manifest",
        async (killAt) => {
            const [registry, keys] = await Promise.all([startRegistry("distribution"), cosignKeys()]);
            const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
            const deletions = () => proxy.exchanges.filter((e) => e.method === "DELETE" && e.status === 202).length;
            let killAfter: (() => void) | undefined;
            const proxy = await startProxy(registry.host, (exchange) => {
                if (killAfter && exchange.method === "DELETE" && deletions() === killAt) {
                    killAfter();
                    return "drop";
                }
            });
            try {
                const published = await publish(client, registry.host, "node/edge", keys, ["iso", "raw"], 5);
                const options: RetentionOptions = { groupBy: GROUP, keep: 2, maxDeletes: 1000 };
                const plan = planRetention((await scanRepository(client, "node/edge")).publications, options);

                const first = retainChild(proxy.host, "node/edge", options, plan.deletions);
                killAfter = () => first.child.kill("SIGKILL");
                const killed = await first.exited;
                expect(killed.signal, killed.output).toBe("SIGKILL");
                // Requests already in flight (units run in parallel) may land after the kill.
                expect(deletions()).toBeGreaterThanOrEqual(killAt);
                expect(deletions()).toBeLessThan(killAt + 8);

                killAfter = undefined;
                const second = retainChild(proxy.host, "node/edge", options, plan.deletions);
                const finished = await second.exited;
                expect(finished, finished.output).toMatchObject({ code: 0, output: "done" });

                const kept = published.filter((p) => p.n >= 3);
                const end = await scanRepository(client, "node/edge");
                expect(end.publications.map((p) => p.digest).sort()).toEqual(kept.map((p) => p.digest).sort());
                expect(end.journals).toEqual([]);
                for (const p of kept)
                    await expect(verifyImage(client, "node/edge", p.digest, { publicKey: keys.publicKeyPem })).resolves.toMatchObject({ digest: p.digest });
                for (const p of published.filter((q) => !kept.includes(q))) expect(await pulls(registry.host, "node/edge", p.digest)).toBe(false);
                // Every tag left resolves, and every signature tag's subject still exists.
                for (const tag of await client.listTags("node/edge")) {
                    await expect(client.getManifest("node/edge", tag)).resolves.toBeTruthy();
                    const subject = /^sha256-([a-f0-9]{64})/.exec(tag)?.[1];
                    if (subject) expect(await pulls(registry.host, "node/edge", `sha256:${subject}`), tag).toBe(true);
                }
            } finally {
                client.close();
                await proxy.stop();
                await registry.stop();
            }
        },
        120_000,
    );
});

describe("retention on a registry that refuses deletes", () => {
    it("stops with an error naming storage.delete.enabled, deleting nothing", async () => {
        const registry = await startRegistry("distribution", { deleteEnabled: false });
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        try {
            const digests = [];
            for (let n = 0; n < 2; n++)
                digests.push(
                    (
                        await pushImage(client, "node/edge", `b${n}`, `build ${n}`, {
                            annotations: { "dev.slipway.family": "iso", [CREATED]: `2026-11-0${n + 1}T00:00:00Z` },
                        })
                    ).digest,
                );
            await expect(prune(client, "node/edge", { groupBy: GROUP, keep: 1 })).rejects.toThrow(
                "the registry refuses deletes: enable storage.delete.enabled",
            );
            expect(await client.resolve("node/edge", "b0")).toBe(digests[0]);
            expect((await client.listTags("node/edge")).sort()).toEqual(["b0", "b1"]);
        } finally {
            client.close();
            await registry.stop();
        }
    });
});
