// Benchmark (issue 17, "A fair verification benchmark"). Verifies N cosign-signed artifacts in
// a loopback registry with Slipway's verifyImage and with the `cosign verify` CLI, in one run.
//   npm run bench:verify [-- <N>] [--tls]
// Slipway, each the median of ROUNDS:
//  - batch: all N in parallel over one client made for the round (cold connections, as a cosign
//    process starts cold): what verifying many artifacts at once costs;
//  - one client per artifact: the same batch, with a client per verification, as the
//    CosignVerification provider makes one per resource (lib/cosign/verifyReference);
//  - one at a time: the latency floor of one verification's round trips.
// cosign: one process per artifact (as a pipeline step per image runs it: mostly cosign's
// start-up), and ONE process given all N references, the fair anchor: what an operator
// verifying many images runs. Rounds alternate all of them, so a shared host's slow spells move
// every median, not the ratios.
// The registry is distribution (plain HTTP, the configuration its image ships), or with --tls
// as the platform exposes it: HTTPS with a private CA and Basic auth at the platform's bcrypt
// cost, which both tools verify and answer. It shares this machine's cores with the verifier,
// so its CPU time (read from /proc) bounds any parallel client: the floor printed last.
import { availableParallelism, loadavg } from "node:os";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { RegistryClient, type ClientOptions } from "../lib/oci/client";
import { verifyImage } from "../lib/cosign/verifyImage";
import { CA_FILE, writeDockerConfig } from "../lib/registry/dockerConfig";
import { cosignKeys, cosignSign } from "../test/support/cosign";
import { must } from "../test/support/exec";
import { pushImage } from "../test/support/images";
import { startRegistry } from "../test/support/registries";
import { startTlsRegistry } from "../test/support/tlsRegistry";
import { scratchDir } from "../test/support/tmp";

const ROUNDS = 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const ratio = (x: number) => `${x.toFixed(1)}x`;

interface Target {
    client: ClientOptions;
    /** How cosign reaches the registry (TLS trust; credentials come from DOCKER_CONFIG). */
    cosignAccess: string[];
    dockerConfig?: string;
    stop(): Promise<void>;
}

async function startTarget(tls: boolean): Promise<Target> {
    if (!tls) {
        const registry = await startRegistry("distribution", { blobDescriptorCache: true });
        return {
            client: { registry: registry.host, scheme: "http", credentials: null },
            cosignAccess: ["--allow-http-registry", "--allow-insecure-registry"],
            stop: () => registry.stop(),
        };
    }
    const t = await startTlsRegistry();
    const dockerConfig = scratchDir("slipway-bench-auth-");
    writeDockerConfig(dockerConfig, t.registry.host, t.user, t.ca);
    return {
        client: { registry: t.registry.host, scheme: "https", credentials: t.user, ca: t.ca },
        cosignAccess: ["--registry-cacert", join(dockerConfig, CA_FILE)],
        dockerConfig,
        async stop() {
            await t.stop();
            rmSync(dockerConfig, { recursive: true, force: true });
        },
    };
}

/** CPU milliseconds (user + system) the registry process has used: it is this process's child. */
async function registryCpu(): Promise<() => number> {
    const pid = (await must("pgrep", ["-P", String(process.pid), "-x", "registry"])).split("\n")[0]!;
    return () => {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks at USER_HZ 100
    };
}

async function main(): Promise<void> {
    const load = () => loadavg()[0]!.toFixed(1);
    const loadStart = load();
    const tls = process.argv.includes("--tls");
    const n = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 50);
    const target = await startTarget(tls);
    const keys = await cosignKeys();
    const host = target.client.registry;
    const env = { ...process.env, COSIGN_YES: "true", ...(target.dockerConfig ? { DOCKER_CONFIG: target.dockerConfig } : {}) };
    const setup = new RegistryClient(target.client);
    try {
        const digests: string[] = [];
        for (let i = 0; i < n; i++) {
            const { digest } = await pushImage(setup, "bench/app", `v${i}`, `artifact ${i}`);
            await cosignSign(keys, `${host}/bench/app@${digest}`, target.dockerConfig ? { dockerConfig: target.dockerConfig } : {});
            digests.push(digest);
        }
        const policy = { publicKey: keys.publicKeyPem };
        const cosign = (refs: string[]) =>
            must("cosign", ["verify", "--key", `${keys.dir}/cosign.pub`, "--insecure-ignore-tlog", ...target.cosignAccess, "--output", "json", ...refs], {
                env,
            });
        const verifyAll = (clientFor: () => RegistryClient) =>
            Promise.all(
                digests.map(async (d) => {
                    const client = clientFor();
                    await verifyImage(client, "bench/app", d, policy);
                    return client;
                }),
            );
        const cpu = await registryCpu();

        // Warm-up: load the sigstore packages once per process, as the provider does.
        const sequentialClient = new RegistryClient(target.client);
        await verifyImage(sequentialClient, "bench/app", digests[0]!, policy);
        const sequential: number[] = [];
        for (const d of digests) {
            const t = performance.now();
            await verifyImage(sequentialClient, "bench/app", d, policy);
            sequential.push(performance.now() - t);
        }
        sequentialClient.close();

        const m = { batch: [] as number[], perArtifact: [] as number[], cosignEach: [] as number[], cosignAll: [] as number[] };
        const cpuOf = { batchRegistry: [] as number[], batchSlipway: [] as number[], cosignAllRegistry: [] as number[] };
        let batchRequests = 0;
        let perArtifactRequests = 0;
        for (let round = 0; round < ROUNDS; round++) {
            let t = performance.now();
            const registryBefore = cpu();
            const slipwayBefore = process.cpuUsage();
            const client = new RegistryClient(target.client);
            await verifyAll(() => client);
            m.batch.push(performance.now() - t);
            const slipwayCpu = process.cpuUsage(slipwayBefore);
            cpuOf.batchSlipway.push((slipwayCpu.user + slipwayCpu.system) / 1000);
            cpuOf.batchRegistry.push(cpu() - registryBefore);
            batchRequests = client.requests;
            client.close();

            t = performance.now();
            const clients = await verifyAll(() => new RegistryClient(target.client));
            m.perArtifact.push(performance.now() - t);
            perArtifactRequests = clients.reduce((sum, c) => sum + c.requests, 0);
            for (const c of clients) c.close();

            t = performance.now();
            const before = cpu();
            await cosign(digests.map((d) => `${host}/bench/app@${d}`));
            m.cosignAll.push(performance.now() - t);
            cpuOf.cosignAllRegistry.push(cpu() - before);

            t = performance.now();
            await cosign([`${host}/bench/app@${digests[round % n]!}`]);
            m.cosignEach.push(performance.now() - t);
        }

        const batch = median(m.batch);
        const cosignAll = median(m.cosignAll);
        const cores = availableParallelism();
        const floor = (median(cpuOf.batchRegistry) + median(cpuOf.batchSlipway)) / cores;
        // Other work on the host takes cores from the parallel batch, not from cosign's sequential run.
        console.log(
            `artifacts: ${n} (cosign bundle format, keyed), distribution on loopback, ${tls ? "HTTPS + Basic auth" : "plain HTTP"}; medians of ${ROUNDS} rounds; load average ${loadStart} before, ${load()} after`,
        );
        console.log(
            `slipway  batch, ${n} in parallel over one client: ${ms(batch)} (${batchRequests / n} requests per artifact), ${ms(batch / n)} per artifact`,
        );
        console.log(
            `slipway  batch, one client per artifact (as the provider): ${ms(median(m.perArtifact))} (${perArtifactRequests / n} requests per artifact)`,
        );
        console.log(`slipway  one at a time: ${ms(median(sequential))} per artifact`);
        console.log(`cosign   one process per artifact: ${ms(median(m.cosignEach))} per artifact`);
        console.log(`cosign   one process for all ${n}: ${ms(cosignAll)}, ${ms(cosignAll / n)} per artifact`);
        console.log(`ratio vs one cosign process per artifact: ${ratio(median(m.cosignEach) / (batch / n))} (batch, amortized)`);
        console.log(
            `ratio vs one cosign process for all:      ${ratio(cosignAll / batch)} (batch; issue 17 aims at >= 5x), ${ratio(cosignAll / median(m.perArtifact))} with a client per artifact`,
        );
        console.log(
            `floor: the batch costs the registry ${ms(median(cpuOf.batchRegistry))} and Slipway ${ms(median(cpuOf.batchSlipway))} of CPU on ${cores} shared cores, so no parallel client beats ~${ms(floor)} here (best ratio ~${ratio(cosignAll / floor)}); cosign's one process costs the registry ${ms(median(cpuOf.cosignAllRegistry))}`,
        );
    } finally {
        setup.close();
        rmSync(keys.dir, { recursive: true, force: true });
        await target.stop();
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
