// Retention runs inside a dynamic provider, whose own logs never reach the engine (the provider
// process has no engine connection): the program reports it instead, on the resource, in
// Pulumi's output. Preview says what would go and the bytes it frees; up says what went.
import * as pulumi from "@pulumi/pulumi";
import type { RetentionPolicy } from "../dynamic-providers/retentionPolicy";
import { mib } from "../lib/diskimage/progress";

/** When this program started: a prune that ran after it ran in this update. */
const STARTED = new Date().toISOString();

export function reportRetention(retention: RetentionPolicy, repository: pulumi.Input<string>): void {
    if (pulumi.runtime.isDryRun()) {
        pulumi.all([retention.plannedDeletions, retention.bytesReclaimable, repository]).apply(([planned, bytes, repo]) => {
            if (planned?.length) void pulumi.log.info(`${repo}: retention would delete ${planned.length} manifests, freeing ${mib(bytes)} MiB`, retention);
        });
        return;
    }
    pulumi.all([retention.deleted, retention.ranAt, retention.kept, repository]).apply(([deleted, ranAt, kept, repo]) => {
        if (!ranAt || ranAt < STARTED) return;
        const keptCount = Object.values(kept ?? {}).reduce((n, k) => n + k.length, 0);
        void pulumi.log.info(`${repo}: retention deleted ${deleted?.length ?? 0} manifests, kept ${keptCount}`, retention);
    });
}
