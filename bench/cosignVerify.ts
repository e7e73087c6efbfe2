// Benchmark (issue: CosignVerification speed). Verifies N cosign-signed artifacts in a
// loopback registry with Slipway's verifyImage and with the `cosign verify` CLI, in one run.
// Reports: Slipway's median per artifact (sequential), the wall time of all N in parallel
// over one keep-alive client, cosign's median per artifact, and the ratio.
//   npm run bench:verify [-- <N>]
import { performance } from "node:perf_hooks";
import { RegistryClient } from "../lib/oci/client";
import { verifyImage } from "../lib/cosign/verifyImage";
import { cosignKeys, cosignSign } from "../test/support/cosign";
import { must } from "../test/support/exec";
import { pushImage } from "../test/support/images";
import { startRegistry } from "../test/support/registries";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
    const n = Number(process.argv[2] ?? 50);
    const cosignSamples = Math.min(n, 10);
    const registry = await startRegistry("distribution");
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
        const requestsBefore = client.requests;
        const t0 = performance.now();
        await Promise.all(digests.map((d) => verifyImage(client, "bench/app", d, policy)));
        const parallel = performance.now() - t0;
        const requests = client.requests - requestsBefore;
        client.close();

        const cosign: number[] = [];
        for (const d of digests.slice(0, cosignSamples)) {
            const t = performance.now();
            await must("cosign", ["verify", "--key", `${keys.dir}/cosign.pub`, "--insecure-ignore-tlog", "--allow-http-registry", "--allow-insecure-registry", "--output", "json", `${registry.host}/bench/app@${d}`], { env: { ...process.env, COSIGN_YES: "true" } });
            cosign.push(performance.now() - t);
        }

        const slipwayMedian = median(sequential);
        const cosignMedian = median(cosign);
        console.log(`artifacts: ${n} (cosign bundle format, distribution registry on loopback)`);
        console.log(`slipway  median per artifact (sequential): ${ms(slipwayMedian)}`);
        console.log(`slipway  ${n} artifacts in parallel, one keep-alive client: ${ms(parallel)} (${requests} requests; target < 300 ms for 50)`);
        console.log(`cosign verify CLI median per artifact (${cosignSamples} samples): ${ms(cosignMedian)}`);
        console.log(`ratio cosign / slipway (median per artifact): ${(cosignMedian / slipwayMedian).toFixed(1)}x (target >= 20x)`);
    } finally {
        setup.close();
        await registry.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
