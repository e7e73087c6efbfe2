// Disk-image publications through the real CLI against a registry as the platform runs it
// (HTTPS with a private CA, htpasswd auth): each family is pushed as one index, signed by the
// real cosign, proven by CosignVerification, and pruned by RetentionPolicy (after a dry run that
// must name exactly what the real one deletes). Checked from outside with the real cosign and skopeo.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slipwayCache } from "../../lib/cache";
import { A } from "../../lib/diskimage/publish";
import { RegistryClient } from "../../lib/oci/client";
import { run } from "../support/exec";
import { ROOT } from "../support/prerequisites";
import { changedSteps, throwawayStack, type ThrowawayStack } from "../support/stack";
import { startTlsRegistry, type TlsRegistry } from "../support/tlsRegistry";
import { scratchDir } from "../support/tmp";

type Published = Record<string, { ref: string; indexRef: string; gitSha: string; builtAt: string; signer: string; size: number; sha256: string }>;
type Current = Record<string, { indexRef: string; pinned: boolean; signer: string }>;
const kernels = (amd64: string) => ({ value: JSON.stringify({ amd64: `6.1.0-${amd64}-cloud-amd64`, arm64: "6.1.0-56-cloud-arm64" }) });

describe("disk-image publication in a real pulumi up", () => {
    let tls: TlsRegistry;
    let t: ThrowawayStack;
    let client: RegistryClient;
    let platform: string;
    let publicKeyFile: string;
    let firstAmd64Ref: string;
    const indexes: string[] = [];

    beforeAll(async () => {
        tls = await startTlsRegistry();
        client = new RegistryClient({ registry: tls.registry.host, ca: tls.ca, credentials: tls.user });
        t = await throwawayStack(
            (id) => {
                platform = `e2e-pub-${id}`;
                return {
                    "slipway-disk-images:platform": { value: platform },
                    "slipway-disk-images:architectures": { value: JSON.stringify(["amd64", "arm64"]) },
                    "slipway-disk-images:families": { value: JSON.stringify(["kernel-initrd", "oci"]) },
                    "slipway-disk-images:kernel": kernels("56"),
                    "slipway-disk-images:registry": { value: tls.registry.host },
                    "slipway-disk-images:caCertificate": { value: tls.ca },
                    "slipway-disk-images:username": { value: tls.user.username },
                    "slipway-disk-images:password": { value: tls.user.password, secret: true },
                    "slipway-disk-images:keep": { value: "3" },
                };
            },
            join(ROOT, "examples", "disk-images"),
        );
    });
    afterAll(async () => {
        await t?.dispose();
        client?.close();
        await tls?.stop();
        if (platform) rmSync(join(slipwayCache(), "disk-images", platform), { recursive: true, force: true });
    });

    const repo = (family: string) => `disk-images/${platform}/${family}`;

    it("publishes each family as one signed index of per-arch artifacts, and outputs only what was proven", async () => {
        const result = await t.stack.up();
        const published = result.outputs.publications!.value as Published;
        expect(Object.keys(published).sort()).toEqual(["kernel-initrd/amd64", "kernel-initrd/arm64", "oci/amd64", "oci/arm64"]);
        const initrd = published["kernel-initrd/amd64"]!;
        expect(initrd.ref).toMatch(new RegExp(`^${tls.registry.host}/${repo("kernel-initrd")}@sha256:[0-9a-f]{64}$`));
        expect(initrd.signer).toMatch(/^sha256:[0-9a-f]{64}$|key/);
        const indexDigest = initrd.indexRef.split("@")[1]!;
        indexes.push(indexDigest);
        firstAmd64Ref = initrd.ref;

        const index = (await client.getManifest(repo("kernel-initrd"), indexDigest)).manifest;
        expect(index.annotations).toMatchObject({ [A.platform]: platform, [A.family]: "kernel-initrd", [A.revision]: initrd.gitSha });
        const artifacts = index.manifests!.filter((m) => m.platform?.os === "linux");
        expect(artifacts.map((m) => m.platform!.architecture).sort()).toEqual(["amd64", "arm64"]);
        expect(artifacts[0]).toMatchObject({ artifactType: "application/vnd.slipway.disk-image.kernel-initrd.v1" });
        expect(artifacts[0]!.annotations![A.sbom]).toMatch(/^sha256:/);
        const child = (await client.getManifest(repo("kernel-initrd"), initrd.ref.split("@")[1]!)).manifest;
        expect(child.annotations).toMatchObject({ [A.arch]: "amd64", [A.payloadSha256]: initrd.sha256, [A.payloadSize]: String(initrd.size) });

        // Read back by clients nobody here wrote: skopeo sees the oci family as an arm64 image; cosign verifies the index and children.
        const env = registryEnv();
        const inspect = await run("skopeo", ["inspect", "--override-arch", "arm64", `docker://${published["oci/arm64"]!.indexRef}`], { env });
        expect(inspect.code, inspect.stderr).toBe(0);
        expect(JSON.parse(inspect.stdout)).toMatchObject({ Architecture: "arm64", Labels: { "org.opencontainers.image.revision": initrd.gitSha } });
        publicKeyFile = join(scratchDir("pub-"), "cosign.pub");
        writeFileSync(publicKeyFile, result.outputs.publicKey!.value as string);
        for (const ref of [initrd.indexRef, initrd.ref]) await cosignVerifies(ref);
        expect((result.outputs.current!.value as Current)["kernel-initrd"]).toMatchObject({ indexRef: initrd.indexRef, pinned: false });
    });

    it("a second up publishes nothing", async () => {
        const changes = changedSteps();
        await t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
    });

    it("a fourth publication with keep=3 and dryRun deletes nothing and reports exactly what the next real run deletes; the others still verify", async () => {
        const refs: string[] = [];
        let dryOutput = "";
        for (const [amd64, dryRun] of [
            ["55", false],
            ["56", false],
            ["55", true],
        ] as const) {
            await t.stack.setConfig("slipway-disk-images:kernel", kernels(amd64));
            await t.stack.setConfig("slipway-disk-images:dryRun", { value: String(dryRun) });
            const result = await t.stack.up();
            dryOutput = result.stdout;
            indexes.push((result.outputs.current!.value as Current)["kernel-initrd"]!.indexRef.split("@")[1]!);
            refs.push((result.outputs.publications!.value as Published)["kernel-initrd/amd64"]!.ref);
        }
        // Back to kernel 56: the same inputs publish the same artifact digest as the first time.
        expect(refs[1]).toBe(firstAmd64Ref);
        expect(refs[0]).not.toBe(firstAmd64Ref);
        expect(new Set(indexes).size).toBe(4);
        // The operator saw the push in Pulumi's output.
        expect(dryOutput).toMatch(/pushed kernel-initrd\/arm64: .* \[blob \d+\/\d+, [0-9.]+\/[0-9.]+ MiB\]/);

        // Dry: the oldest publication (index, children, signatures) is planned for deletion, reported
        // in full, and still in the registry.
        const planned: Record<string, string[]> = {};
        for (const family of ["kernel-initrd", "oci"]) {
            const dry = await retentionOutputs(family);
            expect(dry).toMatchObject({ dryRun: true, deleted: [] });
            planned[family] = dry.plannedDeletions;
            expect(dryOutput).toContain(
                `${repo(family)}: retention dry run, nothing deleted; a real run would delete ${dry.plannedDeletions.length} manifests: ${dry.plannedDeletions.join(", ")}, and keep`,
            );
            for (const d of dry.plannedDeletions) await expect(client.getManifest(repo(family), d)).resolves.toBeDefined();
        }
        expect(planned["kernel-initrd"]).toContain(indexes[0]);
        expect(planned["kernel-initrd"]!.length).toBeGreaterThan(1);

        // Real: exactly what the dry run reported goes, nothing else.
        await t.stack.setConfig("slipway-disk-images:dryRun", { value: "false" });
        const result = await t.stack.up();
        for (const family of ["kernel-initrd", "oci"]) {
            const real = await retentionOutputs(family);
            expect([...real.deleted].sort()).toEqual([...planned[family]!].sort());
            expect(result.stdout).toContain(`${repo(family)}: retention deleted ${real.deleted.length} manifests, kept `);
            for (const d of planned[family]!) await expect(client.getManifest(repo(family), d)).rejects.toMatchObject({ status: 404 });
        }
        for (const d of indexes.slice(1)) await cosignVerifies(`${tls.registry.host}/${repo("kernel-initrd")}@${d}`);
    });

    it("rollback pins an earlier publication as current, without building or pushing", async () => {
        const previous = indexes[2]!;
        await t.stack.setConfig("slipway-disk-images:current", { value: JSON.stringify({ "kernel-initrd": previous }) });
        const changes = changedSteps();
        const result = await t.stack.up({ onEvent: changes.onEvent });
        expect((result.outputs.current!.value as Current)["kernel-initrd"]).toMatchObject({
            indexRef: `${tls.registry.host}/${repo("kernel-initrd")}@${previous}`,
            pinned: true,
        });
        expect(changes.steps.map((s) => s.urn)).not.toContainEqual(expect.stringMatching(/-(push|sign)$|node-(kernel-initrd|oci)-(amd64|arm64)$/));
    });

    it("destroy removes the stack's registry credentials from the cache", async () => {
        await t.stack.destroy();
        expect(existsSync(join(slipwayCache(), "registry-auth", `${t.stack.name}-node`))).toBe(false);
    });

    /** A family's RetentionPolicy outputs, as the state holds them after the last up. */
    async function retentionOutputs(family: string): Promise<{ dryRun: boolean; deleted: string[]; plannedDeletions: string[] }> {
        const state = await t.stack.exportStack();
        const resources = (state.deployment as { resources: Array<{ urn: string; outputs?: Record<string, unknown> }> }).resources;
        const policy = resources.find((r) => r.urn.endsWith(`::node-${family}-retention`));
        if (!policy?.outputs) throw new Error(`no RetentionPolicy node-${family}-retention in the state`);
        return policy.outputs as { dryRun: boolean; deleted: string[]; plannedDeletions: string[] };
    }

    async function cosignVerifies(ref: string) {
        const verify = await run("cosign", ["verify", "--key", publicKeyFile, "--insecure-ignore-tlog", ref], { env: registryEnv() });
        expect(verify.code, `cosign verify ${ref}: ${verify.stderr}`).toBe(0);
    }

    /** cosign and skopeo reach the registry with its CA and the test's credentials (a docker config). */
    function registryEnv(): NodeJS.ProcessEnv {
        const dir = scratchDir("pub-docker-");
        writeFileSync(
            join(dir, "config.json"),
            JSON.stringify({ auths: { [tls.registry.host]: { auth: Buffer.from(`${tls.user.username}:${tls.user.password}`).toString("base64") } } }),
        );
        writeFileSync(join(dir, "ca.pem"), readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + tls.ca);
        return { ...process.env, DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: join(dir, "config.json"), SSL_CERT_FILE: join(dir, "ca.pem") };
    }
});
