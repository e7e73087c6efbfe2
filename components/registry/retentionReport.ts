// Retention runs inside a dynamic provider, whose own logs never reach the engine (the provider
// process has no engine connection): the program reports what an update deleted instead, on
// the resource, in Pulumi's output; a dry run, what it would have deleted. (What a preview
// would delete, and the bytes it frees, are in the preview's diff: plannedDeletions and
// bytesReclaimable.)
import * as pulumi from "@pulumi/pulumi";
import type { RetentionPolicy } from "../../dynamic-providers/retentionPolicy";

/** When this program started: a prune that ran after it ran in this update. */
const STARTED = new Date().toISOString();

/** One run of a policy, as its outputs record it. */
export interface RetentionRun {
    repository: string;
    dryRun: boolean;
    maxDeletes: number;
    /** What the run deleted (none in a dry run). */
    deleted: string[];
    /** After a dry run: exactly what a real run would delete, in order. */
    plannedDeletions: string[];
    kept: Record<string, string[]>;
    capped: boolean;
}

/** The line an operator reads in `pulumi up`'s output. */
export function describeRetention(run: RetentionRun): string {
    const kept = Object.values(run.kept).reduce((n, k) => n + k.length, 0);
    if (run.dryRun) {
        const planned = run.plannedDeletions;
        const list = planned.length ? `: ${planned.join(", ")}` : "";
        const capped = run.capped ? `; maxDeletes (${run.maxDeletes}) reached: the rest would wait for the next run` : "";
        return `${run.repository}: retention dry run, nothing deleted; a real run would delete ${planned.length} manifests${list}, and keep ${kept}${capped}`;
    }
    const capped = run.capped ? `; maxDeletes (${run.maxDeletes}) reached: the rest waits for the next run` : "";
    return `${run.repository}: retention deleted ${run.deleted.length} manifests, kept ${kept}${capped}`;
}

export function reportRetention(retention: RetentionPolicy, repository: pulumi.Input<string>): void {
    pulumi
        .all([
            retention.deleted,
            retention.plannedDeletions,
            retention.kept,
            retention.capped,
            retention.dryRun,
            retention.maxDeletes,
            retention.ranAt,
            repository,
        ])
        .apply(([deleted, plannedDeletions, kept, capped, dryRun, maxDeletes, ranAt, repo]) => {
            // Outputs kept in state from an earlier update are not news.
            if (!ranAt || ranAt < STARTED) return;
            const run = {
                repository: repo,
                dryRun: !!dryRun,
                maxDeletes,
                deleted: deleted ?? [],
                plannedDeletions: plannedDeletions ?? [],
                kept: kept ?? {},
                capped: !!capped,
            };
            void pulumi.log.info(describeRetention(run), retention);
        });
}
