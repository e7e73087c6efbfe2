// Benchmark (issue 17: a killed prune converges). A repository of signed 2-arch indexes (both of
// cosign's layouts) in a loopback distribution; per trial a fresh copy of it is pruned by the
// RetentionPolicy provider's update path in a child process, SIGKILLed after a random delay
// (stratified so the trials spread over the whole run, requests first to last), then run again
// to completion. Converged means: exactly the planned deletions are gone, everything else is
// there, the kept publications pull (manifests and blobs, by digest) and verify, no journal is
// left, every tag resolves and every signature tag's subject exists.
//   npm run bench:retention-kill [-- <trials> [<seed>]]
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { RegistryClient } from "../lib/oci/client";
import { verifyImage } from "../lib/cosign/verifyImage";
import { CREATED, type RetentionOptions } from "../lib/retention/plan";
import { planFor } from "../lib/retention/retainReference";
import { scanRepository } from "../lib/retention/registry";
import { cosignKeys, cosignSign, type CosignKeys } from "../test/support/cosign";
import { cloneRepository } from "../test/support/faultFixtures";
import { pushIndex } from "../test/support/images";
import { startProxy, type RunningProxy } from "../test/support/proxy";
import { startRegistry } from "../test/support/registries";
import { retainInChild } from "../test/support/retainChild";

const GROUP = ["dev.slipway.platform", "dev.slipway.family"];
const FAMILIES = ["kernel-initrd", "raw", "iso"];
const PER_FAMILY = 6;
const OPTIONS: RetentionOptions = { groupBy: GROUP, keep: 2, maxDeletes: 1000 };
const LIB = join(__dirname, "..", "lib", "retention", "retainReference.js");

/** mulberry32: a seeded generator, so a run's kill points can be reproduced. */
function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

async function publishTemplate(client: RegistryClient, registry: string, keys: CosignKeys): Promise<void> {
    const tops: string[] = [];
    for (const family of FAMILIES) {
        for (let n = 0; n < PER_FAMILY; n++) {
            const annotations = { [GROUP[0]!]: "edge", [GROUP[1]!]: family, [CREATED]: new Date(Date.UTC(2026, 10, 1, n)).toISOString() };
            tops.push((await pushIndex(client, "template/edge", `${family}-${PER_FAMILY - 1 - n}`, {}, { tagChildren: false, annotations })).digest);
        }
    }
    const queue = tops.map((d, i) => ({ d, legacy: i % 2 === 0 }));
    const signer = async () => {
        for (let p = queue.shift(); p; p = queue.shift()) await cosignSign(keys, `${registry}/template/edge@${p.d}`, { legacy: p.legacy, recursive: true });
    };
    await Promise.all([signer(), signer()]);
}

/** What is wrong with the repository after the re-run; empty when it converged. */
async function problems(client: RegistryClient, repository: string, universe: string[], planned: Set<string>, keys: CosignKeys): Promise<string[]> {
    const found: string[] = [];
    for (const digest of universe) {
        const present = await client.getManifest(repository, digest).then(
            () => true,
            (error: unknown) => {
                if ((error as { notFound?: boolean }).notFound) return false;
                throw error;
            },
        );
        if (present && planned.has(digest)) found.push(`planned deletion ${digest} is still there`);
        if (!present && !planned.has(digest)) found.push(`${digest} was deleted but not planned`);
    }
    const scan = await scanRepository(client, repository);
    if (scan.journals.length > 0) found.push(`${scan.journals.length} journal(s) left`);
    for (const p of scan.publications) {
        // A pull: every manifest and every blob, each checked against its digest.
        for (const digest of [p.digest, ...p.children]) {
            const m = await client.getManifest(repository, digest);
            for (const b of [m.manifest.config, ...(m.manifest.layers ?? [])]) if (b) await client.getBlob(repository, b.digest);
        }
        await verifyImage(client, repository, p.digest, { publicKey: keys.publicKeyPem }).catch((error: unknown) =>
            found.push(`kept ${p.digest} does not verify: ${(error as Error).message}`),
        );
    }
    for (const tag of await client.listTags(repository)) {
        const ok = await client.getManifest(repository, tag).then(
            () => true,
            () => false,
        );
        if (!ok) found.push(`tag ${tag} names nothing`);
        const subject = /^sha256-([a-f0-9]{64})/.exec(tag)?.[1];
        if (subject && !universe.includes(`sha256:${subject}`)) found.push(`tag ${tag} names an unknown subject`);
        if (subject && planned.has(`sha256:${subject}`)) found.push(`signature tag ${tag} outlived its subject`);
    }
    return found;
}

interface Trial {
    delayMs: number;
    requests: number;
    untagged: number;
    deleted: number;
    killed: boolean;
    problems: string[];
}

async function main(): Promise<void> {
    const trials = Number(process.argv[2] ?? 20);
    const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
    const next = random(seed);
    const registry = await startRegistry("distribution");
    const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    let proxy: RunningProxy | undefined;
    try {
        const keys = await cosignKeys();
        const started = performance.now();
        await publishTemplate(client, registry.host, keys);
        console.log(
            `template: ${FAMILIES.length} groups × ${PER_FAMILY} signed 2-arch indexes, keep ${OPTIONS.keep}, in ${((performance.now() - started) / 1000).toFixed(1)} s; seed ${seed}`,
        );

        let firstAt = 0;
        proxy = await startProxy(registry.host, () => void (firstAt ||= performance.now()));
        const exchanges = proxy.exchanges;
        let t = 0;
        const fresh = async (name: string) => {
            const universe = await cloneRepository(client, "template/edge", name);
            const { deletions } = await planFor(`${registry.host}/${name}`, OPTIONS, true);
            return { universe, deletions };
        };

        // Uninterrupted runs measure when requests start and when the run is done: the window
        // kills fall in. The fastest run bounds it, so a kill lands before the end.
        let firstRequestMs = Infinity;
        let totalMs = Infinity;
        let calibration = { universe: [] as string[], deletions: [] as string[] };
        for (let i = 0; i < 3; i++) {
            const name = `calibrate-${i}/edge`;
            calibration = await fresh(name);
            firstAt = 0;
            t = performance.now();
            const run = await retainInChild(LIB, proxy.host, name, OPTIONS, calibration.deletions).exited;
            totalMs = Math.min(totalMs, performance.now() - t);
            firstRequestMs = Math.min(firstRequestMs, firstAt - t);
            if (run.code !== 0) throw new Error(`an uninterrupted run failed: ${run.output}`);
            const wrong = await problems(client, name, calibration.universe, new Set(calibration.deletions), keys);
            if (wrong.length > 0) throw new Error(`an uninterrupted run did not end as planned:\n  ${wrong.join("\n  ")}`);
        }
        console.log(
            `uninterrupted (fastest of 3): first request after ${firstRequestMs.toFixed(0)} ms, done after ${totalMs.toFixed(0)} ms; ${calibration.deletions.length} manifests planned for deletion of ${calibration.universe.length}`,
        );

        const results: Trial[] = [];
        for (let i = 0; i < trials; i++) {
            const repository = `trial-${i}/edge`;
            const { universe, deletions } = await fresh(repository);
            // Stratified: trial i falls in the i-th slice of the window, at a random place in it.
            const delayMs = Math.round(firstRequestMs + ((i + next()) / trials) * (totalMs - firstRequestMs));
            const from = exchanges.length;
            const first = retainInChild(LIB, proxy.host, repository, OPTIONS, deletions);
            const timer = setTimeout(() => first.child.kill("SIGKILL"), delayMs);
            const killedRun = await first.exited;
            clearTimeout(timer);
            const seen = exchanges.slice(from);
            const trial: Trial = {
                delayMs,
                requests: seen.length,
                untagged: seen.filter((e) => e.method === "DELETE" && e.status === 202 && !/\/manifests\/sha256:/.test(e.path)).length,
                deleted: seen.filter((e) => e.method === "DELETE" && e.status === 202 && /\/manifests\/sha256:/.test(e.path)).length,
                killed: killedRun.signal === "SIGKILL",
                problems: [],
            };
            const second = await retainInChild(LIB, proxy.host, repository, OPTIONS, deletions).exited;
            if (second.code !== 0) trial.problems.push(`the re-run failed: ${second.output.slice(0, 500)}`);
            else trial.problems.push(...(await problems(client, repository, universe, new Set(deletions), keys)));
            results.push(trial);
            const at = trial.killed
                ? `killed at ${String(delayMs).padStart(4)} ms after ${String(trial.requests).padStart(3)} requests (${trial.untagged} tags, ${trial.deleted} manifests deleted)`
                : `finished before the kill at ${delayMs} ms`;
            console.log(
                `trial ${String(i + 1).padStart(2)}: ${at}: ${trial.problems.length === 0 ? "converged" : `NOT converged:\n    ${trial.problems.join("\n    ")}`}`,
            );
        }
        const converged = results.filter((r) => r.problems.length === 0).length;
        console.log(
            `converged ${converged}/${trials} (killed mid-run: ${results.filter((r) => r.killed).length}; kill points ${results.map((r) => `${r.delayMs}ms/${r.requests}req`).join(", ")})`,
        );
        if (converged !== trials) process.exitCode = 1;
    } finally {
        client.close();
        await proxy?.stop();
        await registry.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
