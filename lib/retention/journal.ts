// The write-ahead journal of a prune, kept in the repository it prunes: before untagging
// anything, a run records every digest it will delete, under a tag of its own. Untagged
// manifests are invisible to the next scan; if a run dies between untagging and deleting, its
// journal is how the next run finds them and finishes the job. Removed when a run completes.
import { createHash } from "node:crypto";
import type { RegistryClient } from "../oci/client";
import { OCI_EMPTY, OCI_MANIFEST } from "../oci/mediaTypes";

export const JOURNAL_TAG_PREFIX = "slipway-retention-journal-";
const JOURNAL_TYPE = "application/vnd.dev.slipway.retention.journal.v1+json";
const EMPTY = Buffer.from("{}");

export const isJournalTag = (tag: string) => tag.startsWith(JOURNAL_TAG_PREFIX);

export interface Journal {
    /** The journal manifest's own digest, deleted once its work is done. */
    digest: string;
    /** Digests its run set out to delete. */
    deletions: string[];
}

/**
 * Records `deletions` before any is carried out. The list lives in a blob, not in manifest
 * descriptors, so the journal never keeps a manifest alive nor lists one that is gone.
 */
export async function writeJournal(client: RegistryClient, repository: string, deletions: readonly string[]): Promise<Journal> {
    const content = Buffer.from(JSON.stringify({ deletions }));
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            artifactType: JOURNAL_TYPE,
            config: { mediaType: OCI_EMPTY, digest: await client.pushBlob(repository, EMPTY), size: EMPTY.length },
            layers: [{ mediaType: JOURNAL_TYPE, digest: await client.pushBlob(repository, content), size: content.length }],
        }),
    );
    const tag = `${JOURNAL_TAG_PREFIX}${createHash("sha256").update(content).digest("hex").slice(0, 16)}`;
    return { digest: await client.putManifest(repository, tag, manifest, OCI_MANIFEST), deletions: [...deletions] };
}

/** Reads the journals the listed tags name; one that is not a Slipway journal is an error. */
export async function readJournals(client: RegistryClient, repository: string, tags: readonly string[]): Promise<Journal[]> {
    return Promise.all(
        tags.filter(isJournalTag).map(async (tag) => {
            const { digest, manifest } = await client.getManifest(repository, tag);
            const layer = manifest.layers?.[0];
            if (manifest.artifactType !== JOURNAL_TYPE || !layer)
                throw new Error(`${client.registry}/${repository}:${tag} is not a Slipway retention journal: remove or rename that tag`);
            const content = await client.getBlob(repository, layer.digest);
            let deletions: unknown;
            try {
                deletions = (JSON.parse(content.toString("utf8")) as { deletions?: unknown } | null)?.deletions;
            } catch {
                // Not JSON: named below like any other journal that lists nothing.
            }
            if (!Array.isArray(deletions) || !deletions.every((d) => typeof d === "string"))
                throw new Error(`${client.registry}/${repository}:${tag}: the journal lists no deletions; remove that tag`);
            return { digest, deletions };
        }),
    );
}
