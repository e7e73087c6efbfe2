// Benchmark (issue: RetentionPolicy speed). Two repositories of N tags (default 10,000), each tag
// a distinct manifest annotated with family, arch and creation time in 10 groups, in one
// loopback registry. Slipway prunes one (keep 3, in a fresh process: bin-bench/bench/
// retentionPrune.js, so its peak memory is its own) and bench/retention-cli.sh prunes the other
// with crane, in the same run. Reports wall time, requests against the budget (tag pages +
// manifests read + deletions), peak RSS, and the ratio; checks both kept the same digests.
//   npm run bench:retention [-- <tags> [<cli parallelism, 0: Slipway only>]]
import { execFile } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { RegistryClient } from "../lib/oci/client";
import { OCI_MANIFEST } from "../lib/oci/mediaTypes";
import { CREATED } from "../lib/retention/plan";
import { startRegistry } from "../test/support/registries";

const run = promisify(execFile);
const FAMILIES = ["kernel-initrd", "raw", "iso", "ipxe", "qcow2"];
const ARCHES = ["amd64", "arm64"];
const KEEP = 3;
const PAGE = 1000;

/** N distinct manifests over one shared config and layer: one PUT per tag, `parallel` at a time. */
async function populate(client: RegistryClient, repo: string, tags: number): Promise<void> {
    const config = await client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
    const layer = Buffer.from("slipway retention benchmark layer");
    const layerDigest = await client.pushBlob(repo, layer);
    let next = 0;
    const worker = async () => {
        for (let i = next++; i < tags; i = next++) {
            const group = i % (FAMILIES.length * ARCHES.length);
            const annotations = {
                "dev.slipway.family": FAMILIES[group % FAMILIES.length]!,
                "dev.slipway.arch": ARCHES[Math.floor(group / FAMILIES.length)]!,
                [CREATED]: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
            };
            const manifest = {
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: 0 },
                layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length }],
                annotations,
            };
            await client.putManifest(repo, `build-${String(i).padStart(5, "0")}`, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
        }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
}

async function main(): Promise<void> {
    const tags = Number(process.argv[2] ?? 10_000);
    const jobs = Number(process.argv[3] ?? 4);
    const registry = await startRegistry("distribution");
    const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    try {
        let t = performance.now();
        await Promise.all([populate(client, "bench/slipway", tags), populate(client, "bench/cli", tags)]);
        console.log(`populated 2 × ${tags} tags in ${((performance.now() - t) / 1000).toFixed(1)} s`);

        const options = { groupBy: ["dev.slipway.family", "dev.slipway.arch"], keep: KEEP, maxDeletes: tags };
        const { stdout } = await run(process.execPath, [join(__dirname, "retentionPrune.js"), registry.host, "bench/slipway", JSON.stringify(options)], {
            maxBuffer: 1 << 20,
        });
        const slipway = JSON.parse(stdout) as {
            wallMs: number;
            scanMs: number;
            requests: number;
            scanRequests: number;
            deleted: number;
            untagged: number;
            kept: number;
            maxRssMb: number;
        };

        if (jobs === 0) {
            console.log(
                `slipway only: ${(slipway.wallMs / 1000).toFixed(2)} s (scan ${(slipway.scanMs / 1000).toFixed(2)} s), peak RSS ${slipway.maxRssMb.toFixed(0)} MB, ${slipway.requests} requests (scan ${slipway.scanRequests}), ${slipway.deleted} deleted`,
            );
            return;
        }
        t = performance.now();
        const cli = await run(join(__dirname, "..", "..", "bench", "retention-cli.sh"), [registry.host, "bench/cli", String(KEEP), String(jobs)], {
            maxBuffer: 1 << 24,
        });
        const cliMs = performance.now() - t;
        const [cliRead, cliDeleted] = cli.stdout.trim().split(/\s+/).map(Number);

        const keptBy = async (repo: string) => (await client.listTags(repo)).sort();
        const [slipwayKept, cliKept] = await Promise.all([keptBy("bench/slipway"), keptBy("bench/cli")]);
        if (JSON.stringify(slipwayKept) !== JSON.stringify(cliKept))
            throw new Error(`the two prunes kept different tags:\n slipway ${slipwayKept.join(" ")}\n cli ${cliKept.join(" ")}`);

        // The scan's budget: tag pages, one referrers-API probe, one read per manifest. Applying
        // costs one DELETE per tag and one per manifest, plus a delete probe and the journal.
        // distribution links a next page after a full last page, so N tags take floor(N/page)+1 pages.
        const pages = Math.floor(tags / PAGE) + 1;
        const scanBudget = pages + 1 + tags;
        const applied = slipway.requests - slipway.scanRequests;
        const overhead = applied - slipway.untagged - slipway.deleted;
        console.log(
            `prune of ${tags} tags in ${FAMILIES.length * ARCHES.length} groups, keep ${KEEP} (distribution on loopback); both kept the same ${slipwayKept.length} tags`,
        );
        console.log(
            `slipway: ${(slipway.wallMs / 1000).toFixed(2)} s (scan ${(slipway.scanMs / 1000).toFixed(2)} s), peak RSS ${slipway.maxRssMb.toFixed(0)} MB, ${slipway.requests} requests:`,
        );
        console.log(
            `  scan ${slipway.scanRequests} (budget: ${pages} pages + 1 referrers probe + ${tags} manifests = ${scanBudget}); apply ${applied} = ${slipway.untagged} tag deletions + ${slipway.deleted} manifest deletions + ${overhead} (delete probe, journal write and removal)`,
        );
        console.log(
            `crane script (-P ${jobs}): ${(cliMs / 1000).toFixed(2)} s, ${1 + (cliRead ?? 0) + (cliDeleted ?? 0)} crane processes (each at least a /v2/ ping and its call), ${cliDeleted} deleted`,
        );
        console.log(
            `ratio: ${(cliMs / slipway.wallMs).toFixed(1)}x (target 20x); memory target 200 MB: ${slipway.maxRssMb < 200 ? "met" : "NOT met"}; scan within budget: ${slipway.scanRequests <= scanBudget ? "yes" : "NO"}`,
        );
    } finally {
        client.close();
        await registry.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
