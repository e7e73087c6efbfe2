// Retention runs inside a dynamic provider, whose own logs never reach the engine (the provider
// process has no engine connection): the program reports what an update deleted instead, on
// the resource, in Pulumi's output. (What a preview would delete, and the bytes it frees, are
// in the preview's diff: plannedDeletions and bytesReclaimable.)
import * as pulumi from "@pulumi/pulumi";
import type { RetentionPolicy } from "../dynamic-providers/retentionPolicy";

/** When this program started: a prune that ran after it ran in this update. */
const STARTED = new Date().toISOString();

export function reportRetention(retention: RetentionPolicy, repository: pulumi.Input<string>): void {
    pulumi.all([retention.deleted, retention.ranAt, retention.kept, repository]).apply(([deleted, ranAt, kept, repo]) => {
        // Outputs kept in state from an earlier update are not news.
        if (!ranAt || ranAt < STARTED) return;
        const keptCount = Object.values(kept ?? {}).reduce((n, k) => n + k.length, 0);
        void pulumi.log.info(`${repo}: retention deleted ${deleted?.length ?? 0} manifests, kept ${keptCount}`, retention);
    });
}
