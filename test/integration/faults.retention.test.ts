// Retention when the repository changes, or the registry lies, between preview and update: the
// update deletes only what preview showed, each publication whole or not at all, and never a
// manifest that something it leaves in place still lists; the next preview and update finish.
// A journal tag that holds something else stops the run, naming the tag.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { OCI_INDEX, OCI_MANIFEST } from "../../lib/oci/mediaTypes";
import { digestTag } from "../../lib/oci/reference";
import { CREATED, type RetentionOptions } from "../../lib/retention/plan";
import { planFor, retain } from "../../lib/retention/retainReference";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { startFaultProxy, type FaultProxy } from "../support/faultProxy";
import { pushIndex, type PushedManifest } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const FAMILY = "dev.slipway.family";
const OPTIONS: RetentionOptions = { groupBy: [FAMILY], keep: 1, maxDeletes: 100 };
const created = (hour: number) => ({ [FAMILY]: "iso", [CREATED]: new Date(Date.UTC(2026, 10, 1, hour)).toISOString() });

describe("retention against a repository that changed, or a registry that lies, since preview", () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;
    let proxy: FaultProxy;

    beforeAll(async () => {
        [registry, keys] = await Promise.all([startRegistry("distribution"), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        proxy = await startFaultProxy(registry.host);
    });
    afterAll(async () => {
        client?.close();
        await proxy?.stop();
        await registry?.stop();
    });

    /** An old publication (doomed with keep 1) and a new one, the old one signed; returns the old one. */
    async function publications(repo: string) {
        const old = await pushIndex(client, repo, "iso-old", {}, { tagChildren: false, annotations: created(0) });
        await pushIndex(client, repo, "iso-new", {}, { tagChildren: false, annotations: created(2) });
        await cosignSign(keys, `${registry.host}/${repo}@${old.digest}`);
        return old;
    }

    const exists = (repo: string, digest: string) =>
        client.getManifest(repo, digest).then(
            () => true,
            (error: unknown) => {
                if ((error as { notFound?: boolean }).notFound) return false;
                throw error;
            },
        );

    /** Every tag names a manifest that is there with everything it lists, and no signature tag outlives its subject. */
    async function consistent(repo: string): Promise<void> {
        for (const tag of await client.listTags(repo)) {
            const m = await client.getManifest(repo, tag);
            for (const d of m.manifest.manifests ?? []) expect(await exists(repo, d.digest), `${tag} lists ${d.digest}`).toBe(true);
            const subject = /^sha256-([a-f0-9]{64})/.exec(tag)?.[1];
            if (subject) expect(await exists(repo, `sha256:${subject}`), `${tag} outlived its subject`).toBe(true);
        }
    }

    /** A fresh preview, then the update it allows: what the next `pulumi up` does. */
    const previewAndUpdate = async (repo: string) =>
        retain(`${registry.host}/${repo}`, OPTIONS, (await planFor(`${registry.host}/${repo}`, OPTIONS, true)).deletions, true);

    it("a publication pushed meanwhile, sharing a previewed one's images, keeps them", async () => {
        const repo = "race/shared";
        const old = await publications(repo);
        const { deletions } = await planFor(`${registry.host}/${repo}`, OPTIONS, true);
        expect(deletions).toEqual(expect.arrayContaining([old.digest, old.amd64.digest, old.arm64.digest]));

        // Meanwhile the same images are published again (a new index), older than the newest: doomed, but never previewed.
        const again = await pushIndexWith(client, repo, "iso-again", [old.amd64, old.arm64], created(1));
        await retain(`${registry.host}/${repo}`, OPTIONS, deletions, true);

        expect(await exists(repo, old.digest)).toBe(false);
        expect(await client.resolve(repo, "iso-again")).toBe(again.digest);
        await consistent(repo);

        await previewAndUpdate(repo);
        for (const d of [again.digest, old.amd64.digest, old.arm64.digest]) expect(await exists(repo, d)).toBe(false);
        await consistent(repo);
    });

    it("a signature added meanwhile holds the publication back whole; the next update removes all of it", async () => {
        const repo = "race/signed";
        const old = await publications(repo);
        const { deletions } = await planFor(`${registry.host}/${repo}`, OPTIONS, true);
        // A second signature: a new bundle, and cosign rewrites the fallback index to list both.
        await cosignSign(keys, `${registry.host}/${repo}@${old.digest}`);
        const { deleted, held } = await retain(`${registry.host}/${repo}`, OPTIONS, deletions, true);
        expect(deleted).toEqual([]);
        expect(held).toEqual(expect.arrayContaining([old.digest, old.amd64.digest, old.arm64.digest]));

        // Held back whole: still tagged, its fallback index and both bundles still there.
        expect(await client.resolve(repo, "iso-old")).toBe(old.digest);
        expect((await client.getManifest(repo, digestTag(old.digest))).manifest.manifests).toHaveLength(2);
        await consistent(repo);

        await previewAndUpdate(repo);
        expect(await exists(repo, old.digest)).toBe(false);
        expect(await client.listTags(repo)).not.toContain(digestTag(old.digest));
        await consistent(repo);
    });

    it.each([
        ["the publication's own tag", "iso-old"],
        ["its signatures' fallback tag", "fallback"],
    ])("a registry serving other bytes for %s: nothing it lists is deleted, and the next update converges", async (_what, which) => {
        const repo = `race/lies-${which}`;
        const old = await publications(repo);
        const { deletions } = await planFor(`${registry.host}/${repo}`, OPTIONS, true);
        const tag = which === "fallback" ? digestTag(old.digest) : which;
        proxy.arm({ kind: "wrong-digest", method: "GET", path: new RegExp(`^/v2/${repo}/manifests/${tag}$`) });
        const outcome = await retain(`${proxy.host}/${repo}`, OPTIONS, deletions, true).catch((error: unknown) => error);
        expect(proxy.faulted).toHaveLength(1);
        proxy.arm(undefined);
        expect(outcome).not.toBeInstanceOf(TypeError);
        await consistent(repo);

        await previewAndUpdate(repo);
        for (const d of [old.digest, old.amd64.digest, old.arm64.digest]) expect(await exists(repo, d)).toBe(false);
        expect(await client.listTags(repo)).toEqual(["iso-new"]);
        await consistent(repo);
    });

    it("a journal tag whose content is not a journal stops the scan, naming the tag to remove", async () => {
        const repo = "race/journal";
        const content = Buffer.from("<html>not a journal</html>");
        const empty = Buffer.from("{}");
        const manifest = {
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            artifactType: "application/vnd.dev.slipway.retention.journal.v1+json",
            config: { mediaType: "application/vnd.oci.empty.v1+json", digest: await client.pushBlob(repo, empty), size: empty.length },
            layers: [
                { mediaType: "application/vnd.dev.slipway.retention.journal.v1+json", digest: await client.pushBlob(repo, content), size: content.length },
            ],
        };
        await client.putManifest(repo, "slipway-retention-journal-0000000000000000", Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
        await expect(planFor(`${registry.host}/${repo}`, OPTIONS, true)).rejects.toThrow(
            `${registry.host}/${repo}:slipway-retention-journal-0000000000000000: the journal lists no deletions; remove that tag`,
        );
    });
});

/** An index over manifests already pushed, annotated, under `tag`. */
async function pushIndexWith(
    client: RegistryClient,
    repo: string,
    tag: string,
    children: PushedManifest[],
    annotations: Record<string, string>,
): Promise<PushedManifest> {
    const bytes = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: children.map((c, i) => ({
                mediaType: OCI_MANIFEST,
                digest: c.digest,
                size: c.bytes.length,
                platform: { architecture: i === 0 ? "amd64" : "arm64", os: "linux" },
            })),
            annotations,
        }),
    );
    return { digest: await client.putManifest(repo, tag, bytes, OCI_INDEX), bytes };
}
