// What the RetentionPolicy provider runs, by repository reference, with the registry
// connection read at call time (lib/oci/connect).
import { clientFor, type Connection } from "../oci/connect";
import { parseReference } from "../oci/reference";
import type { Publication, RetentionOptions, RetentionPlan } from "./plan";
import { applyPlan, planScan, scanRepository } from "./registry";

/** `registry/repository` (no tag). */
function repositoryOf(repository: string): { registry: string; name: string } {
    const ref = parseReference(`${repository}:x`);
    return { registry: ref.registry, name: ref.repository };
}

export async function planFor(repository: string, options: RetentionOptions, connection?: boolean | Connection): Promise<RetentionPlan> {
    const { registry, name } = repositoryOf(repository);
    const client = clientFor(registry, connection);
    try {
        const scan = await scanRepository(client, name);
        return planScan(scan, options);
    } finally {
        client.close();
    }
}

/**
 * A fresh plan narrowed to what preview showed, without breaking anything it leaves in place.
 * A unit (one publication, or one manifest an interrupted run left) goes whole or not at all:
 * one whose fresh plan deletes anything preview did not show — a signature added since, a tag
 * that now names other bytes — waits for the next preview. And nothing that a publication left
 * in place lists is deleted, even when preview showed it: the same images published again
 * since under a new index keep them.
 */
export function restrictToPreview(fresh: RetentionPlan, publications: readonly Publication[], previewed: ReadonlySet<string>): RetentionPlan {
    const whole = fresh.units.filter((u) => u.deletions.every((d) => previewed.has(d)));
    const going = new Set(whole.flatMap((u) => u.deletions));
    const stays = new Set<string>();
    const byTop = new Map(publications.map((p) => [p.digest, p]));
    // Everything a publication that stays uses, and what a tagged index among that uses in turn.
    const todo = publications.filter((p) => !going.has(p.digest)).map((p) => p.digest);
    for (let d = todo.pop(); d !== undefined; d = todo.pop()) {
        if (stays.has(d)) continue;
        stays.add(d);
        const p = byTop.get(d);
        if (p) todo.push(...p.referrers, ...p.children);
    }
    const units = whole
        .map((u) => ({ untag: u.untag.filter(([, d]) => previewed.has(d) && !stays.has(d)), deletions: u.deletions.filter((d) => !stays.has(d)) }))
        .filter((u) => u.deletions.length > 0);
    return { ...fresh, units, deletions: units.flatMap((u) => u.deletions) };
}

/**
 * Applies a fresh plan, limited to what preview showed (see restrictToPreview). An unfinished
 * run's journal is settled only if none of its deletions was held back. Returns the plan
 * applied, what went, and what a fresh plan would delete but this run held back (for the next).
 */
export async function retain(
    repository: string,
    options: RetentionOptions,
    previewed: readonly string[],
    connection?: boolean | Connection,
): Promise<{ plan: RetentionPlan; deleted: string[]; held: string[] }> {
    const { registry, name } = repositoryOf(repository);
    const client = clientFor(registry, connection);
    try {
        const scan = await scanRepository(client, name);
        const fresh = planScan(scan, options);
        const plan = restrictToPreview(fresh, scan.publications, new Set(previewed));
        const applied = new Set(plan.deletions);
        const held = new Set(fresh.deletions.filter((d) => !applied.has(d)));
        const settled = scan.journals.filter((j) => !j.deletions.some((d) => held.has(d)));
        return { plan, deleted: await applyPlan(client, name, plan, settled), held: [...held] };
    } finally {
        client.close();
    }
}
