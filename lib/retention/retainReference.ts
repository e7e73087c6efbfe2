// What the RetentionPolicy provider runs, by repository reference, with the registry
// connection read at call time (lib/oci/connect).
import { clientFor, type Connection } from "../oci/connect";
import { parseReference } from "../oci/reference";
import { restrictPlan, type RetentionOptions, type RetentionPlan } from "./plan";
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
 * Applies a fresh plan, limited to what preview showed: a digest is deleted only when both
 * the previewed plan and a fresh one would delete it. An unfinished run's journal is settled
 * only if none of its deletions was held back. Returns the fresh plan and what went.
 */
export async function retain(repository: string, options: RetentionOptions, previewed: readonly string[], connection?: boolean | Connection): Promise<{ plan: RetentionPlan; deleted: string[] }> {
    const { registry, name } = repositoryOf(repository);
    const client = clientFor(registry, connection);
    try {
        const scan = await scanRepository(client, name);
        const fresh = planScan(scan, options);
        const allowed = new Set(previewed);
        const held = new Set(fresh.deletions.filter((d) => !allowed.has(d)));
        const plan = restrictPlan(fresh, allowed);
        const settled = scan.journals.filter((j) => !j.deletions.some((d) => held.has(d)));
        return { plan, deleted: await applyPlan(client, name, plan, settled) };
    } finally {
        client.close();
    }
}
