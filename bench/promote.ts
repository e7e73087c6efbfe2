// Benchmark (issue: ImagePromotion speed). Promotes a cosign-signed 2-arch index across
// repositories in a loopback registry with Slipway's promote() and, in the same run, with
// `crane copy` and `skopeo copy --all` (which copy the index and children, not signatures).
// Reports the median wall time of each over fresh target repositories, and Slipway's requests.
//   npm run bench:promote [-- <rounds>]
import { performance } from "node:perf_hooks";
import { RegistryClient } from "../lib/oci/client";
import { promote, REVISION_LABEL } from "../lib/promotion/promote";
import { cosignKeys, cosignSign } from "../test/support/cosign";
import { must } from "../test/support/exec";
import { pushIndex } from "../test/support/images";
import { startRegistry } from "../test/support/registries";

const SHA = "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
    const rounds = Number(process.argv[2] ?? 5);
    const registry = await startRegistry("distribution");
    const keys = await cosignKeys();
    const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    try {
        const index = await pushIndex(client, "staging/node", "v1", { [REVISION_LABEL]: SHA });
        for (const d of [index.digest, index.amd64.digest, index.arm64.digest]) await cosignSign(keys, `${registry.host}/staging/node@${d}`);
        const src = `${registry.host}/staging/node:v1`;

        const slipway: number[] = [];
        const requests: number[] = [];
        const crane: number[] = [];
        const skopeo: number[] = [];
        for (let i = 0; i < rounds; i++) {
            let t = performance.now();
            const before = client.requests;
            await promote(client, { repository: "staging/node", tag: "v1" }, { repository: `prod/slipway-${i}`, tag: "v1" }, SHA);
            slipway.push(performance.now() - t);
            requests.push(client.requests - before);

            t = performance.now();
            await must("crane", ["copy", "--insecure", src, `${registry.host}/prod/crane-${i}:v1`]);
            crane.push(performance.now() - t);

            t = performance.now();
            await must("skopeo", [
                "copy",
                "--all",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                `docker://${src}`,
                `docker://${registry.host}/prod/skopeo-${i}:v1`,
            ]);
            skopeo.push(performance.now() - t);
        }
        console.log(`promotion of a signed 2-arch index across repositories, median of ${rounds} (distribution on loopback)`);
        console.log(`slipway promote (revision gate + index, children, 3 signatures): ${median(slipway).toFixed(1)} ms, ${median(requests)} requests`);
        console.log(`crane copy (index and children, no signatures): ${median(crane).toFixed(1)} ms`);
        console.log(`skopeo copy --all (index and children, no signatures): ${median(skopeo).toFixed(1)} ms`);
    } finally {
        client.close();
        await registry.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
