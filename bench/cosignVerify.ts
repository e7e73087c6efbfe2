// Benchmark (issue: CosignVerification speed). Verifies N cosign-signed artifacts in a
// loopback registry with Slipway's verifyImage and with the `cosign verify` CLI, in one run.
//   npm run bench:verify [-- <N>]
// Reports, for Slipway: the wall time of all N verified in parallel over one keep-alive client
// (the median of several rounds) and so the time per artifact amortized over the batch, which
// is what a `pulumi up` verifying many artifacts pays; and the median of N one-at-a-time
// verifications, the latency floor of four loopback round trips. For cosign: the median of
// `cosign verify` runs, one process per artifact, as an operator or a pipeline runs it.
// The registry is distribution with the configuration its image ships (in-memory blob
// descriptor cache on); it shares this machine's cores with the verifier.
import { performance } from "node:perf_hooks";
import { RegistryClient } from "../lib/oci/client";
import { verifyImage } from "../lib/cosign/verifyImage";
import { cosignKeys, cosignSign } from "../test/support/cosign";
import { must } from "../test/support/exec";
import { pushImage } from "../test/support/images";
import { startRegistry } from "../test/support/registries";

const ROUNDS = 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
    const n = Number(process.argv[2] ?? 50);
    const registry = await startRegistry("distribution", { blobDescriptorCache: true });
    const keys = await cosignKeys();
    const setup = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    try {
        const digests: string[] = [];
        for (let i = 0; i < n; i++) {
            const { digest } = await pushImage(setup, "bench/app", `v${i}`, `artifact ${i}`);
            await cosignSign(keys, `${registry.host}/bench/app@${digest}`);
            digests.push(digest);
        }
        const policy = { publicKey: keys.publicKeyPem };

        // Warm-up: load the sigstore packages once per process, as the provider does.
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        await verifyImage(client, "bench/app", digests[0]!, policy);

        const sequential: number[] = [];
        for (const d of digests) {
            const t = performance.now();
            await verifyImage(client, "bench/app", d, policy);
            sequential.push(performance.now() - t);
        }
        // Rounds alternate a Slipway batch and a `cosign verify`, so both see the same machine:
        // a shared 2-core host's slow spells then move both medians, not the ratio.
        const batches: number[] = [];
        const cosign: number[] = [];
        const requestsBefore = client.requests;
        for (let round = 0; round < ROUNDS; round++) {
            const t0 = performance.now();
            await Promise.all(digests.map((d) => verifyImage(client, "bench/app", d, policy)));
            batches.push(performance.now() - t0);
            const t1 = performance.now();
            await must("cosign", ["verify", "--key", `${keys.dir}/cosign.pub`, "--insecure-ignore-tlog", "--allow-http-registry", "--allow-insecure-registry", "--output", "json", `${registry.host}/bench/app@${digests[round % n]!}`], { env: { ...process.env, COSIGN_YES: "true" } });
            cosign.push(performance.now() - t1);
        }
        const requests = (client.requests - requestsBefore) / ROUNDS;
        client.close();

        const batch = median(batches);
        const amortized = batch / n;
        const oneAtATime = median(sequential);
        const cosignMedian = median(cosign);
        console.log(`artifacts: ${n} (cosign bundle format, distribution registry on loopback)`);
        console.log(`slipway  ${n} artifacts in parallel, one keep-alive client: ${ms(batch)} (median of ${ROUNDS} rounds, ${requests} requests each; target < 300 ms for 50)`);
        console.log(`slipway  per artifact, amortized over the batch: ${ms(amortized)}`);
        console.log(`slipway  per artifact, one at a time (median): ${ms(oneAtATime)}`);
        console.log(`cosign verify CLI per artifact (median of ${ROUNDS}): ${ms(cosignMedian)}`);
        console.log(`ratio cosign / slipway per artifact: ${(cosignMedian / amortized).toFixed(1)}x amortized (target >= 20x), ${(cosignMedian / oneAtATime).toFixed(1)}x one at a time`);
    } finally {
        setup.close();
        await registry.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
