// One prune in a fresh process, so its memory is measured alone: scan, plan and apply exactly
// as the RetentionPolicy provider's update does, and report wall time, requests and peak RSS.
//   node bin-bench/bench/retentionPrune.js <host:port> <repository> <options JSON>
import { performance } from "node:perf_hooks";
import { RegistryClient } from "../lib/oci/client";
import type { RetentionOptions } from "../lib/retention/plan";
import { applyPlan, planScan, scanRepository } from "../lib/retention/registry";

async function main(): Promise<void> {
    const [host, repository, optionsJson] = process.argv.slice(2);
    if (!host || !repository || !optionsJson) throw new Error("usage: retentionPrune.js <host:port> <repository> <options JSON>");
    const client = new RegistryClient({ registry: host, scheme: "http", credentials: null });
    const started = performance.now();
    try {
        const scan = await scanRepository(client, repository);
        const scanned = performance.now();
        const scanRequests = client.requests;
        const plan = planScan(scan, JSON.parse(optionsJson) as RetentionOptions);
        const deleted = await applyPlan(client, repository, plan, scan.journals);
        const report = {
            wallMs: performance.now() - started,
            scanMs: scanned - started,
            requests: client.requests,
            scanRequests,
            publications: scan.publications.length,
            untagged: plan.units.reduce((n, u) => n + u.untag.length, 0),
            deleted: deleted.length,
            kept: plan.groups.reduce((n, g) => n + g.kept.length, 0),
            maxRssMb: process.resourceUsage().maxRSS / 1024,
        };
        process.stdout.write(JSON.stringify(report));
    } finally {
        client.close();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
