// The whole loop with the real Pulumi CLI against this machine's swarm: up, idempotence,
// a config change previewed exactly, drift found by refresh, destroy leaving nothing. What
// exists is checked with the Docker CLI, not taken from Pulumi's word.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http from "node:http";
import * as https from "node:https";
import { RegistryClient, sha256 } from "../../lib/oci/client";
import { docker, must, nodeLabels, run } from "../support/exec";
import { renderLocalCertificateScript } from "../../lib/tls/localCertificateScript";
import { loadEngineImage, pushImage } from "../support/images";
import type { Manifest } from "../../lib/oci/mediaTypes";
import { READ_ONLY_ENV } from "../../lib/docker/maintenance";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { FAMILIES, bootable } from "../../lib/diskimage/targets";
import { freePort, startRegistry, type RunningRegistry } from "../support/registries";
import { changedSteps, throwawayStack, urnsInState, type ThrowawayStack } from "../support/stack";
import { ROOT } from "../support/prerequisites";
import { slipwayCache } from "../../lib/cache";
import { guideBlock } from "../support/guide";
import { pushSignedStaging, registryAccess, resolveIn } from "../support/platformRegistry";

// A secret the stack holds (dynamic providers receive the whole stack config): it must never
// reach the state in plaintext.
const PLANTED_SECRET = "planted-e2e-secret-value-7f3a";

/** Every file of the file backend, as text. */
function stateText(backend: string): string {
    return readdirSync(backend, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
        .join("\n");
}

// The local stack's domain, which setup makes resolve to this machine (/etc/hosts); this
// stack's own ports keep it apart from a deployed local stack.
const DOMAIN = "local.slipway.test";

/** One request to this machine at `port`, as if `host` resolved here; never follows redirects. */
function request(
    scheme: "http" | "https",
    host: string,
    port: number,
    path: string,
    ca?: string,
    headers: Record<string, string> = {},
): Promise<{ status: number; location?: string; body: string }> {
    const lib = scheme === "https" ? https : http;
    return new Promise((resolve, reject) => {
        lib.get({ host: "127.0.0.1", port, path, headers: { host, ...headers }, ...(scheme === "https" ? { servername: host, ca } : {}) }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), body }));
        }).on("error", reject);
    });
}

describe("local stack lifecycle", () => {
    let t: ThrowawayStack;
    let network: string;
    let labelKey: string;
    let ports: { http: number; https: number };
    // The site's cosign key, as CI holds it: it signs what goes to staging; the stack signs disk images with it.
    let site: CosignKeys;
    const REVISION = "5e1f0c2d3b4a59687766554433221100ffeeddcc";

    // An upstream registry (as docker.io would be) with an image the platform mirrors, pinned.
    let upstream: RunningRegistry;
    let upstreamImage: string;

    beforeAll(async () => {
        ports = { http: await freePort(), https: await freePort() };
        site = await cosignKeys("e2e-site-key-password");
        upstream = await startRegistry("distribution");
        const upstreamClient = new RegistryClient({ registry: upstream.host, scheme: "http", credentials: null });
        upstreamImage = (await pushImage(upstreamClient, "library/tool", "1.0", "an upstream tool")).digest;
        upstreamClient.close();
        t = await throwawayStack((id) => ({
            "slipway:host.networkName": { value: `e2e-${id}-proxy` },
            [`slipway:host.labels["slipway.e2e-${id}"]`]: { value: "one" },
            // A throwaway: destroy removes its data too, so the machine keeps nothing of it.
            "slipway:host.dataOnDestroy": { value: "delete" },
            "slipway:proxy.domain": { value: DOMAIN },
            "slipway:proxy.httpPort": { value: String(ports.http) },
            "slipway:proxy.httpsPort": { value: String(ports.https) },
            "slipway:ci.forgeUrl": { value: "https://git.local.slipway.test" },
            "slipway:ci.oauthClientId": { value: "e2e-client" },
            "slipway:ciOAuthClientSecret": { value: PLANTED_SECRET, secret: true },
            // A node platform, published to this stack's own registry through Traefik.
            "slipway:diskImages[0].name": { value: "e2e-node" },
            "slipway:diskImages[0].architectures[0]": { value: "amd64" },
            "slipway:diskImages[0].architectures[1]": { value: "arm64" },
            ...Object.fromEntries(FAMILIES.map((f, i) => [`slipway:diskImages[0].families[${i}]`, { value: f }])),
            "slipway:diskImages[0].kernel.amd64": { value: "6.1.0-56-cloud-amd64" },
            "slipway:diskImages[0].kernel.arm64": { value: "6.1.0-56-cloud-arm64" },
            "slipway:diskImages[0].initramfs.packages[0]": { value: "bash-static" },
            "slipway:diskImages[0].initramfs.agent": { value: "/bin/bash-static -c 'test -e /proc/self/status'" },
            "slipway:registry.mirrors[0].from": { value: `${upstream.host}/library/tool:1.0@${upstreamImage}` },
            "slipway:registry.mirrors[0].to": { value: "mirror/tool" },
            "slipway:registry.repositories[0]": { value: "apps/declared" },
            "slipway:signing.publicKey": { value: site.publicKeyPem },
            "slipway:signingKey": { value: readFileSync(site.key, "utf8"), secret: true },
            "slipway:signingKeyPassword": { value: site.password, secret: true },
        }));
        network = `e2e-${t.id}-proxy`;
        labelKey = `slipway.e2e-${t.id}`;
    });
    afterAll(async () => {
        await t?.dispose();
        await upstream?.stop();
    });

    it("up creates the overlay network and the node label", async () => {
        // A preview from empty, as `pulumi up` without --skip-preview and CI's PR preview run it:
        // providers see inputs of resources not created yet as unknowns, and must not refuse them.
        await t.stack.preview();
        const result = await t.stack.up();
        expect(result.summary.result).toBe("succeeded");
        expect(result.outputs.proxyNetwork?.value).toBe(network);

        const inspected = await docker("network", "inspect", network, "--format", '{{.Driver}} {{.Attachable}} {{.Scope}} {{index .Labels "slipway.stack"}}');
        expect(inspected).toBe(`overlay true swarm ${t.stack.name}`);
        expect((await nodeLabels())[labelKey]).toBe("one");

        const state = stateText(t.backend);
        expect(state).toContain(network);
        expect(state).not.toContain(PLANTED_SECRET);
        // The generated TLS key is held encrypted, never as PEM text.
        expect(state).not.toContain("PRIVATE KEY");
    });

    it("Traefik serves HTTPS with the generated certificate, redirects HTTP, and never holds the socket", async () => {
        const outputs = await t.stack.outputs();
        const ca = outputs.proxyCaCertificate?.value as string;
        expect(ca).toContain("BEGIN CERTIFICATE");
        expect(outputs.proxyPingUrl?.value).toBe(`https://proxy.${DOMAIN}:${ports.https}/ping`);

        // Routed by the swarm provider from Traefik's own labels, read through the socket proxy.
        expect(await request("https", `proxy.${DOMAIN}`, ports.https, "/ping", ca)).toMatchObject({ status: 200, body: "OK" });
        await expect(request("https", `proxy.${DOMAIN}`, ports.https, "/ping")).rejects.toThrow(/self-signed|unable to verify|certificate/i);
        expect(await request("http", `proxy.${DOMAIN}`, ports.http, "/ping")).toMatchObject({
            status: 301,
            location: `https://proxy.${DOMAIN}:${ports.https}/ping`,
        });

        const mounts = (service: string) =>
            docker("service", "inspect", `${t.stack.name}-proxy_${service}`, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}");
        expect(await mounts("traefik")).toBe("null");
        expect(JSON.parse(await mounts("socket-proxy"))).toEqual([
            { Type: "bind", Source: "/var/run/docker.sock", Target: "/var/run/docker.sock", ReadOnly: true },
        ]);
    });

    it("the registry answers at registry.<domain> through Traefik: 401 without credentials, push and pull with them", async () => {
        const outputs = await t.stack.outputs();
        const ca = outputs.proxyCaCertificate?.value as string;
        const host = outputs.registryHost?.value as string;
        expect(host).toBe(`registry.${DOMAIN}:${ports.https}`);
        expect(outputs.registryPassword?.secret).toBe(true);
        const credentials = { username: outputs.registryUsername?.value as string, password: outputs.registryPassword?.value as string };

        // Traefik polls the swarm (every 5 s): allow a few polls for the new route, bounded.
        let status = 0;
        for (let i = 0; i < 30 && status !== 401; i++) {
            status = (await request("https", `registry.${DOMAIN}`, ports.https, "/v2/", ca)).status;
            if (status !== 401) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(status).toBe(401);
        const client = new RegistryClient({ registry: host, ca, credentials });
        try {
            const pushed = await pushImage(client, "apps/e2e", "v1", "through traefik");
            // Read back by a client nobody here wrote, trusting only the exported CA.
            const certDir = mkdtempSync(join(tmpdir(), "slipway-e2e-ca-"));
            writeFileSync(join(certDir, "ca.crt"), ca);
            const creds = `${credentials.username}:${credentials.password}`;
            const raw = await must("skopeo", ["inspect", "--raw", "--cert-dir", certDir, "--creds", creds, `docker://${host}/apps/e2e:v1`]);
            expect(sha256(raw), raw).toBe(pushed.digest);
            // A push by skopeo through Traefik, byte for byte (skopeo would otherwise re-encode).
            await must("skopeo", [
                "copy",
                "--preserve-digests",
                "--src-cert-dir",
                certDir,
                "--dest-cert-dir",
                certDir,
                "--src-creds",
                creds,
                "--dest-creds",
                creds,
                `docker://${host}/apps/e2e:v1`,
                `docker://${host}/apps/e2e-copy:v1`,
            ]);
            expect(await client.resolve("apps/e2e-copy", "v1")).toBe(pushed.digest);
            rmSync(certDir, { recursive: true, force: true });
        } finally {
            client.close();
        }
    });

    it("disk images are built, boot-tested, published to the registry through Traefik, signed, and verify", async () => {
        const outputs = await t.stack.outputs();
        const ca = outputs.proxyCaCertificate?.value as string;
        const host = outputs.registryHost?.value as string;
        const published = outputs.diskImagePublications?.value as Record<string, { ref: string; indexRef: string; gitSha: string; sha256: string }>;
        expect(Object.keys(published).sort()).toEqual(FAMILIES.flatMap((f) => [`e2e-node/${f}/amd64`, `e2e-node/${f}/arm64`]).sort());
        const builds = outputs.diskImageBuilds?.value as Record<string, { bootSeconds?: number }>;
        for (const f of FAMILIES)
            for (const arch of ["amd64", "arm64"] as const)
                expect(builds[`e2e-node/${f}/${arch}`]!.bootSeconds !== undefined, `${f}/${arch} booted`).toBe(bootable(f, arch));
        const iso = published["e2e-node/iso/arm64"]!;
        expect(iso.ref.startsWith(`${host}/disk-images/e2e-node/iso@sha256:`)).toBe(true);
        expect((outputs.diskImageCurrent?.value as Record<string, { indexRef: string }>)["e2e-node/iso"]!.indexRef).toBe(iso.indexRef);

        // The real cosign verifies index and artifact through Traefik, trusting the exported CA and key.
        const dir = mkdtempSync(join(tmpdir(), "slipway-e2e-cosign-"));
        const creds = Buffer.from(`${outputs.registryUsername?.value as string}:${outputs.registryPassword?.value as string}`).toString("base64");
        writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { [host]: { auth: creds } } }));
        writeFileSync(join(dir, "ca.pem"), readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + ca);
        writeFileSync(join(dir, "cosign.pub"), outputs.diskImageSigningKey?.value as string);
        const env = { ...process.env, DOCKER_CONFIG: dir, SSL_CERT_FILE: join(dir, "ca.pem") };
        const current = outputs.diskImageCurrent?.value as Record<string, { indexRef: string }>;
        for (const ref of [iso.ref, ...FAMILIES.map((f) => current[`e2e-node/${f}`]!.indexRef)]) {
            const verify = await run("cosign", ["verify", "--key", join(dir, "cosign.pub"), "--insecure-ignore-tlog", ref], { env });
            expect(verify.code, verify.stderr).toBe(0);
        }
        rmSync(dir, { recursive: true, force: true });
        // The signing key and the registry password are in the state only encrypted.
        expect(stateText(t.backend)).not.toContain("ENCRYPTED SIGSTORE PRIVATE KEY");
        expect(stateText(t.backend)).not.toContain(outputs.registryPassword?.value as string);
        // Every dynamic resource runs under Slipway's explicit provider, configured with nothing:
        // no default one holds the stack's config (its secrets among it) as its own.
        const providers = (
            (await t.stack.exportStack()).deployment as { resources: Array<{ urn: string; inputs?: Record<string, unknown> }> }
        ).resources.filter((r) => r.urn.includes("::pulumi:providers:pulumi-nodejs::"));
        expect(providers.map((p) => [p.urn.split("::").pop(), Object.keys(p.inputs ?? {}).filter((k) => k.startsWith("slipway:"))])).toEqual([
            ["slipway-dynamic", []],
        ]);
    });

    it("the CI server answers at ci.<domain> through Traefik and its agent is connected", async () => {
        const outputs = await t.stack.outputs();
        expect(outputs.ciUrl?.value).toBe(`https://ci.${DOMAIN}:${ports.https}`);
        expect(outputs.ciMetricsToken?.secret).toBe(true);
        const ca = outputs.proxyCaCertificate?.value as string;
        const token = outputs.ciMetricsToken?.value as string;
        // Bounded: Traefik's next poll routes the server; the agent registers its workers.
        let health = 0;
        let workers = 0;
        for (let i = 0; i < 30 && (health !== 200 || workers < 1); i++) {
            health = (await request("https", `ci.${DOMAIN}`, ports.https, "/healthz", ca)).status;
            const metrics = await request("https", `ci.${DOMAIN}`, ports.https, "/metrics", ca, { authorization: `Bearer ${token}` });
            workers = Number(/^woodpecker_worker_count (\d+)$/m.exec(metrics.body)?.[1] ?? 0);
            if (health !== 200 || workers < 1) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(health).toBe(200);
        expect(workers).toBe(2); // the agent's capacity (ci.runnerCapacity, default 2)
        // The metrics need the generated token.
        expect((await request("https", `ci.${DOMAIN}`, ports.https, "/metrics", ca)).status).toBe(401);
    });

    type Promoted = Record<string, { ref: string; digest: string; revision: string; signer: string }>;
    let firstPromoted: string;

    it("a promotion verifies the signed staging image with the site key and moves exactly that digest to prod", async () => {
        const { host } = await registryAccess(t.stack);
        const digest = await pushSignedStaging(t.stack, REVISION, site);
        await t.stack.setConfig("slipway:promotion[0].name", { value: "web" }, true);
        await t.stack.setConfig("slipway:promotion[0].source", { value: `${host}/apps/web:staging` }, true);
        await t.stack.setConfig("slipway:promotion[0].target", { value: `${host}/apps/web:prod` }, true);
        await t.stack.setConfig("slipway:promotion[0].expectedRevision", { value: REVISION }, true);
        await t.stack.up();

        const promotions = (await t.stack.outputs()).promotions?.value as Promoted;
        expect(promotions.web).toMatchObject({ ref: `${host}/apps/web@${digest}`, digest, revision: REVISION });
        expect(promotions.web!.signer).toMatch(/^key:/);
        expect(await resolveIn(t.stack, "apps/web", "prod")).toBe(digest);
        firstPromoted = digest;
    });

    it("a pinned upstream image is mirrored into the registry under its tag and exported with its digest", async () => {
        const { host, ca, credentials } = await registryAccess(t.stack);
        const mirrors = (await t.stack.outputs()).mirrors?.value as Record<string, { from: string; ref: string; digest: string }>;
        expect(mirrors["mirror/tool"]).toEqual({
            from: `${upstream.host}/library/tool:1.0@${upstreamImage}`,
            ref: `${host}/mirror/tool@${upstreamImage}`,
            digest: upstreamImage,
        });
        const client = new RegistryClient({ registry: host, ca, credentials });
        try {
            expect(await client.resolve("mirror/tool", "1.0")).toBe(upstreamImage);
        } finally {
            client.close();
        }
    });

    it("a declared repository exists before anything is pushed, is exported, and comes back after its marker is deleted by hand", async () => {
        const { host, ca, credentials } = await registryAccess(t.stack);
        const repositories = (await t.stack.outputs()).repositories?.value as Record<string, { repository: string; digest: string }>;
        const declared = repositories["apps/declared"]!;
        expect(declared.repository).toBe(`${host}/apps/declared`);
        expect(declared.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
        const client = new RegistryClient({ registry: host, ca, credentials });
        try {
            expect(await client.resolve("apps/declared", "slipway-repository")).toBe(declared.digest);
            await client.deleteManifest("apps/declared", declared.digest);
            // refresh sees it gone; the next up declares it again, and nothing else changes.
            await t.stack.refresh();
            const up = await t.stack.up();
            expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
            expect(await client.resolve("apps/declared", "slipway-repository")).toBe(declared.digest);
        } finally {
            client.close();
        }
    });

    it("another stack reads the outputs through a StackReference, typed and validated", async () => {
        const producer = `organization/slipway/${t.stack.name}`;
        const consumer = await throwawayStack(() => ({ "slipway-consumer:producer": { value: producer } }), join(ROOT, "examples", "consumer"), t.backend);
        try {
            // It deploys the promoted digest as a service routed by the platform's Traefik (traefik's own ping as the app).
            await consumer.stack.setConfig("slipway-consumer:service", {
                value: JSON.stringify({ promotion: "web", port: 8080, command: ["--ping=true", "--entrypoints.http.address=:8080", "--ping.entrypoint=http"] }),
            });
            const outputs = (await consumer.stack.up()).outputs;
            expect(outputs.proxyNetwork?.value).toBe(network);
            expect(outputs.proxyNetwork?.secret).toBe(false);
            const promoted = ((await t.stack.outputs()).promotions?.value as Record<string, { ref: string }>).web!.ref;
            expect(outputs.serviceImage?.value).toBe(promoted);
            expect(outputs.serviceUrl?.value).toBe(`https://web.${DOMAIN}:${ports.https}`);
            const service = `${consumer.stack.name}-web_web`;
            expect(await docker("service", "inspect", service, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")).toBe(promoted);
            const ca = (await t.stack.outputs()).proxyCaCertificate?.value as string;
            let answer = { status: 0, body: "" };
            // Bounded: Traefik's next poll of the swarm routes the new service.
            for (let i = 0; i < 30 && answer.status !== 200; i++) {
                answer = await request("https", `web.${DOMAIN}`, ports.https, "/ping", ca);
                if (answer.status !== 200) await new Promise((r) => setTimeout(r, 1000));
            }
            expect(answer).toMatchObject({ status: 200, body: "OK" });
            expect(outputs.registryHost?.value).toBe(`registry.${DOMAIN}:${ports.https}`);
            expect(outputs.registryPassword?.secret).toBe(true);
            const mine = (await t.stack.outputs()).diskImageCurrent?.value as Record<string, { indexRef: string }>;
            expect(outputs.currentImages?.value).toEqual(Object.fromEntries(Object.entries(mine).map(([k, v]) => [k, v.indexRef])));
            // Pointed at a stack that is not a platform, the consumer's preview says what is missing.
            // Destroyed, the service and its registry login are gone.
            await consumer.stack.destroy();
            expect((await run("docker", ["service", "inspect", service])).code).not.toBe(0);
            await consumer.stack.removeConfig("slipway-consumer:service");
            await consumer.stack.setConfig("slipway-consumer:producer", { value: `organization/slipway-consumer/${consumer.stack.name}` });
            const error = await consumer.stack.preview().catch((e: unknown) => e);
            expect(String(error)).toMatch(/does not export what a Slipway platform exports[\s\S]*outputsVersion: missing[\s\S]*ciUrl: missing/);
        } finally {
            await consumer.dispose();
        }
    });

    it("a second up changes nothing", async () => {
        const changes = changedSteps();
        const result = await t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
        expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    it("a stack deployed when dynamic resources ran under the default provider adopts Slipway's own in place: no resource changes", async () => {
        // The state as an earlier Slipway left it: every dynamic resource on pulumi-nodejs::default.
        const explicit = "::pulumi:providers:pulumi-nodejs::slipway-dynamic";
        const state = await t.stack.exportStack();
        const earlier: unknown = JSON.parse(JSON.stringify(state.deployment).replaceAll(explicit, "::pulumi:providers:pulumi-nodejs::default"));
        expect(JSON.stringify(earlier)).not.toContain(explicit);
        await t.stack.importStack({ ...state, deployment: earlier });
        // The preview and the up change the provider alone (the alias adopts it); nothing under it moves.
        const changes = changedSteps();
        const preview = await t.stack.preview({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
        // (An update of the provider when the earlier state held the stack config as its inputs.)
        expect(Object.keys(preview.changeSummary).filter((op) => op !== "same" && op !== "update")).toEqual([]);
        expect(preview.changeSummary.update ?? 0).toBeLessThanOrEqual(1);
        await t.stack.up();
        expect(JSON.stringify((await t.stack.exportStack()).deployment)).not.toContain("::pulumi:providers:pulumi-nodejs::default");
        const again = changedSteps();
        const result = await t.stack.up({ onEvent: again.onEvent });
        expect(again.steps).toEqual([]);
        expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    it("a new build promotes, and a promotion rolls back by pinning the earlier digest and its revision (docs/operator-guide.md)", async () => {
        const { host } = await registryAccess(t.stack);
        const second = "6f2a1d3e4c5b6a79887766554433221100ffeedd";
        const newer = await pushSignedStaging(t.stack, second, site);
        await t.stack.setConfig("slipway:promotion[0].expectedRevision", { value: second }, true);
        await t.stack.up();
        expect(await resolveIn(t.stack, "apps/web", "prod")).toBe(newer);

        // The guide's rollback: the source pinned to the earlier digest, with that build's revision.
        await t.stack.setConfig("slipway:promotion[0].source", { value: `${host}/apps/web@${firstPromoted}` }, true);
        await t.stack.setConfig("slipway:promotion[0].expectedRevision", { value: REVISION }, true);
        await t.stack.up();
        expect(await resolveIn(t.stack, "apps/web", "prod")).toBe(firstPromoted);
        expect(((await t.stack.outputs()).promotions?.value as Promoted).web).toMatchObject({ digest: firstPromoted, revision: REVISION });
    });

    it("rotating the generated secrets: a new registry password (the old one refused, every login follows) and new CI secrets (the agent reconnects)", async () => {
        const before = await registryAccess(t.stack);
        const oldToken = (await t.stack.outputs()).ciMetricsToken?.value as string;
        await t.stack.setConfig("slipway:registry.passwordRotation", { value: "1" }, true);
        await t.stack.setConfig("slipway:ci.secretRotation", { value: "1" }, true);
        await t.stack.up();

        const after = await registryAccess(t.stack);
        expect(after.credentials.password).not.toBe(before.credentials.password);
        const basic = (c: { username: string; password: string }) => ({
            authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`,
        });
        expect((await request("https", `registry.${DOMAIN}`, ports.https, "/v2/", after.ca, basic(before.credentials))).status).toBe(401);
        expect((await request("https", `registry.${DOMAIN}`, ports.https, "/v2/", after.ca, basic(after.credentials))).status).toBe(200);
        // The credentials folders the publications and promotions read hold the new password.
        const folder = readFileSync(join(slipwayCache(), "registry-auth", `${t.stack.name}-slipway-promotions`, "config.json"), "utf8");
        expect(folder).toContain(Buffer.from(`${after.credentials.username}:${after.credentials.password}`).toString("base64"));
        // ... so a refresh re-verifies and re-reads everything with it.
        expect((await t.stack.refresh()).summary.result).toBe("succeeded");

        const token = (await t.stack.outputs()).ciMetricsToken?.value as string;
        expect(token).not.toBe(oldToken);
        let workers = 0;
        for (let i = 0; i < 30 && workers < 2; i++) {
            const metrics = await request("https", `ci.${DOMAIN}`, ports.https, "/metrics", after.ca, { authorization: `Bearer ${token}` });
            workers = Number(/^woodpecker_worker_count (\d+)$/m.exec(metrics.body)?.[1] ?? 0);
            if (workers < 2) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(workers, "the agent reconnected with the new agent secret").toBe(2);
        expect((await request("https", `ci.${DOMAIN}`, ports.https, "/metrics", after.ca, { authorization: `Bearer ${oldToken}` })).status).toBe(401);
    });

    it("rotating the site signing key: every publication is signed again and proven with the new key; the promoted source needs CI's new signature", async () => {
        const next = await cosignKeys("e2e-next-key-password");
        const before = (await t.stack.outputs()).diskImageCurrent?.value as Record<string, { signer: string }>;
        const access = await registryAccess(t.stack);
        const dir = mkdtempSync(join(tmpdir(), "slipway-e2e-sign-"));
        writeFileSync(
            join(dir, "config.json"),
            JSON.stringify({
                auths: { [access.host]: { auth: Buffer.from(`${access.credentials.username}:${access.credentials.password}`).toString("base64") } },
            }),
        );
        writeFileSync(join(dir, "ca.pem"), readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + access.ca);
        writeFileSync(join(dir, "next.pub"), next.publicKeyPem);
        try {
            // CI signs the promoted source (pinned by the rollback above) with the new key first:
            // the promotion's verification runs again with it, and would refuse otherwise.
            await cosignSign(next, `${access.host}/apps/web@${firstPromoted}`, { dockerConfig: dir });

            await t.stack.setConfig("slipway:signing.publicKey", { value: next.publicKeyPem }, true);
            await t.stack.setConfig("slipway:signingKey", { value: readFileSync(next.key, "utf8"), secret: true });
            await t.stack.setConfig("slipway:signingKeyPassword", { value: next.password, secret: true });
            await t.stack.up();

            const outputs = await t.stack.outputs();
            expect(outputs.diskImageSigningKey?.value).toBe(next.publicKeyPem);
            const current = outputs.diskImageCurrent?.value as Record<string, { indexRef: string; signer: string }>;
            const promoted = (outputs.promotions?.value as Promoted).web!;
            for (const family of FAMILIES) {
                const c = current[`e2e-node/${family}`]!;
                // Proven again, by the new key's fingerprint (the signer), the same one the promotion was verified with.
                expect(c.signer, family).not.toBe(before[`e2e-node/${family}`]!.signer);
                expect(c.signer, family).toBe(promoted.signer);
            }
            const env = { ...process.env, DOCKER_CONFIG: dir, SSL_CERT_FILE: join(dir, "ca.pem") };
            const verify = await run("cosign", ["verify", "--key", join(dir, "next.pub"), "--insecure-ignore-tlog", current["e2e-node/iso"]!.indexRef], {
                env,
            });
            expect(verify.code, verify.stderr).toBe(0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
        site = next;
    });

    it("maintenance: every node prunes on a schedule, sparing the images setup assembled; the registry collects garbage read-only, then takes pushes again", async () => {
        await t.stack.setConfig("slipway:host.pruneOlderThanHours", { value: "24" }, true);
        // Every minute, so the test sees a run; an operator's is weekly or so (docs/operator-guide.md).
        await t.stack.setConfig("slipway:registry.gcSchedule", { value: "* * * * *" }, true);
        await t.stack.up();
        const maintenance = `${t.stack.name}-maintenance`;
        expect(await docker("service", "ls", "--filter", `name=${maintenance}_prune`, "--format", "{{.Mode}} {{.Replicas}}")).toBe("global 1/1");

        // The prune, once, on this engine: an unused image older than the window goes; an
        // assembled one (labelled by setup, created "1970") stays.
        const stale = await loadEngineImage(`slipway-e2e/stale-${t.id}:1`, "2001-01-01T00:00:00Z");
        const assembled = await loadEngineImage(`slipway-e2e/assembled-${t.id}:1`, "1970-01-01T00:00:00Z", {
            "dev.slipway.image": `slipway-e2e/assembled-${t.id}:1`,
        });
        const pruner = await docker("ps", "--quiet", "--filter", `label=com.docker.swarm.service.name=${maintenance}_prune`);
        expect(await docker("exec", "--env", "PRUNE_ONCE=1", pruner, "sh", "/slipway/prune.sh")).toContain(
            "prune: images no container uses, created more than 24h ago",
        );
        await expect(docker("image", "inspect", stale)).rejects.toThrow(/No such image/);
        expect(await docker("image", "inspect", "--format", "{{.Id}}", assembled)).toBe(assembled);
        await docker("image", "rm", assembled);

        // Garbage collection: pushes are refused while it runs, so push and delete just after a
        // run (bounded waits), then wait for the next run to reclaim the deleted image's blob.
        const collector = `${maintenance}_registry-gc`;
        const nextRun = async (since: string) => {
            for (let i = 0; i < 30; i++) {
                const log = await docker("service", "logs", "--raw", "--since", since, collector);
                if (log.includes("is writable again")) return log;
                await new Promise((r) => setTimeout(r, 5000));
            }
            throw new Error(`no garbage collection finished within 150 s since ${since}`);
        };
        await nextRun(new Date().toISOString());
        const { host, ca, credentials } = await registryAccess(t.stack);
        const client = new RegistryClient({ registry: host, ca, credentials });
        try {
            const doomed = await pushImage(client, "apps/gc", "v1", `collected ${t.id}`);
            const layer = (JSON.parse(doomed.bytes.toString("utf8")) as Manifest).layers![0]!.digest;
            await client.deleteManifest("apps/gc", doomed.digest);
            expect(await client.blobExists("apps/gc", layer)).toBe(true);
            const log = await nextRun(new Date().toISOString());
            expect(log).toMatch(/registry-gc: making \S+_registry read-only/);
            expect(log).toMatch(/registry-gc: \d+ blobs marked, \d+ blobs and \d+ manifests eligible for deletion/);
            // The registry's task was replaced twice: wait (bounded) until Traefik routes to the
            // new one, so a 404 below is the registry's answer, not a missing route's.
            for (let i = 0; i < 20; i++) {
                if (
                    await client.resolve("apps/e2e", "v1").then(
                        () => true,
                        () => false,
                    )
                )
                    break;
                await new Promise((r) => setTimeout(r, 1000));
            }
            expect(await client.resolve("apps/e2e", "v1")).toMatch(/^sha256:/);
            expect(await client.blobExists("apps/gc", layer)).toBe(false);
            expect(
                await docker("service", "inspect", `${t.stack.name}-registry_registry`, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}"),
            ).not.toContain(READ_ONLY_ENV);
            await pushImage(client, "apps/gc", "v2", `kept ${t.id}`);
        } finally {
            client.close();
        }

        // Both off: the maintenance stack goes.
        await t.stack.removeConfig("slipway:host.pruneOlderThanHours", true);
        await t.stack.removeConfig("slipway:registry.gcSchedule", true);
        await t.stack.up();
        expect(await docker("service", "ls", "--quiet", "--filter", `label=com.docker.stack.namespace=${maintenance}`)).toBe("");
        // Stopped whenever it was, the collector left the registry writable.
        expect(
            await docker("service", "inspect", `${t.stack.name}-registry_registry`, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}"),
        ).not.toContain(READ_ONLY_ENV);
    });

    it("backs up and restores the state with the guide's commands, and the restored stack has nothing to change", async () => {
        const work = mkdtempSync(join(tmpdir(), "slipway-e2e-backup-"));
        try {
            const env = {
                ...process.env,
                PULUMI_BACKEND_URL: `file://${t.backend}`,
                PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway",
                PULUMI_SKIP_UPDATE_CHECK: "true",
            };
            await must("pulumi", ["stack", "select", t.stack.name, "--cwd", ROOT], { env });
            for (const line of guideBlock("backup-restore")) {
                const result = await run(
                    "bash",
                    ["-c", `cd ${JSON.stringify(ROOT)} && ${line.replace(/slipway-backup\.json/g, join(work, "slipway-backup.json"))}`],
                    { env },
                );
                expect(result.code, `${line}\n${result.stderr}`).toBe(0);
            }
            const changes = changedSteps();
            await t.stack.preview({ onEvent: changes.onEvent });
            expect(changes.steps).toEqual([]);
        } finally {
            rmSync(work, { recursive: true, force: true });
        }
    });

    it("a certificate rotation converges: the new certificate is served, the route stays up but for the service update, the old secrets are gone", async () => {
        const before = await t.stack.outputs();
        const oldCa = before.proxyCaCertificate?.value as string;
        const secretsOf = async () =>
            (await docker("secret", "ls", "--filter", `label=slipway.stack=${t.stack.name}`, "--format", "{{.Name}}"))
                .split("\n")
                .filter((n) => n.includes("-proxy-tls-"));
        const oldSecrets = await secretsOf();
        expect(oldSecrets).toHaveLength(2);

        const site = JSON.parse(await must("bash", ["-c", renderLocalCertificateScript({ domain: DOMAIN })])) as {
            ca: string;
            certificate: string;
            key: string;
        };
        await t.stack.setConfig("slipway:proxy.certificate", { value: site.certificate }, true);
        await t.stack.setConfig("slipway:tlsPrivateKey", { value: site.key, secret: true });
        // A private CA: declared, so Slipway's own registry clients (disk-image verification) trust it.
        await t.stack.setConfig("slipway:proxy.caCertificate", { value: site.ca }, true);

        // Poll the HTTPS route through the whole update (either CA accepted), bounded by the up.
        let polling = true;
        const outages: number[] = [];
        let downSince: number | undefined;
        const poller = (async () => {
            while (polling) {
                const ok = await request("https", `proxy.${DOMAIN}`, ports.https, "/ping", `${oldCa}${site.ca}`).then(
                    (r) => r.status === 200,
                    () => false,
                );
                if (!ok && downSince === undefined) downSince = Date.now();
                if (ok && downSince !== undefined) {
                    outages.push(Date.now() - downSince);
                    downSince = undefined;
                }
                await new Promise((r) => setTimeout(r, 100));
            }
        })();
        const started = Date.now();
        await t.stack.up();
        const upMs = Date.now() - started;
        // After the update, wait (bounded) for the route to answer again, then stop polling.
        for (let i = 0; i < 300 && downSince !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
        polling = false;
        await poller;

        expect(downSince, "the HTTPS route came back").toBeUndefined();
        const longest = Math.max(0, ...outages);
        console.log(`certificate rotation: up took ${upMs} ms; HTTPS outages ${JSON.stringify(outages)} ms`);
        expect(longest).toBeLessThan(upMs);
        // The site's certificate is served (only its CA verifies it), the generated CA is gone.
        expect(await request("https", `proxy.${DOMAIN}`, ports.https, "/ping", site.ca)).toMatchObject({ status: 200 });
        expect((await t.stack.outputs()).proxyCaCertificate?.value).toBe(site.ca);
        const newSecrets = await secretsOf();
        expect(newSecrets).toHaveLength(2);
        expect(newSecrets.filter((n) => oldSecrets.includes(n))).toEqual([]);
        expect(stateText(t.backend)).not.toContain("PRIVATE KEY");
    });

    it("preview after a config change shows exactly that change, saves it as a plan, and up --plan applies exactly that", async () => {
        await t.stack.setConfig(`slipway:host.labels["${labelKey}"]`, { value: "two" }, true);
        const changes = changedSteps();
        const planDir = mkdtempSync(join(tmpdir(), "slipway-e2e-plan-"));
        const plan = join(planDir, "plan.json");
        try {
            // What CI previews on the pull request (`pulumi preview --save-plan`) ...
            await t.stack.preview({ onEvent: changes.onEvent, plan });
            expect(changes.steps).toEqual([{ op: "update", urn: expect.stringMatching(new RegExp(`label-${labelKey.replace(/\./g, "\\.")}$`)) as unknown }]);
            // ... holds the stack's secrets only encrypted,
            const planText = readFileSync(plan, "utf8");
            expect(planText).not.toContain(PLANTED_SECRET);
            expect(planText).not.toContain("PRIVATE KEY");

            // ... and constrains the update: a change made after the review is refused, nothing applied,
            await t.stack.setConfig(`slipway:host.labels["${labelKey}"]`, { value: "unreviewed" }, true);
            const refused = await t.stack.up({ plan }).catch((e: unknown) => e);
            expect(String(refused)).toMatch(/violates plan/);
            expect((await nodeLabels())[labelKey]).toBe("one");

            // ... while exactly what was reviewed applies (`pulumi up --plan`).
            await t.stack.setConfig(`slipway:host.labels["${labelKey}"]`, { value: "two" }, true);
            await t.stack.up({ plan });
            expect((await nodeLabels())[labelKey]).toBe("two");
        } finally {
            rmSync(planDir, { recursive: true, force: true });
        }
    });

    it("refresh reports a network deleted out of band, and up recreates it and redeploys the stacks removed by hand", async () => {
        // While the registry is gone below, the disk-image verifications and the promotion, failing
        // closed, would fail (refresh marks them as drift): they leave the config first.
        await t.stack.removeConfig("slipway:diskImages");
        await t.stack.removeConfig("slipway:promotion");
        // With neither, the site's signing key would act on nothing, and is refused kept: it goes too.
        await t.stack.removeConfig("slipway:signing");
        await t.stack.removeConfig("slipway:signingKey");
        await t.stack.removeConfig("slipway:signingKeyPassword");
        await t.stack.up();
        // The network is in use by Traefik, the registry and CI: take their stacks down out of band
        // first, as an operator cleaning up by hand would.
        // (stack rm fails when a network is still in use by a stopping task: the loop below retries.)
        const removed = [`${t.stack.name}-proxy`, `${t.stack.name}-registry`, `${t.stack.name}-ci`];
        await run("docker", ["stack", "rm", ...removed]);
        // Wait, bounded, until their containers are gone: removing the network while a task is still
        // being torn down can leave that container's port mapping behind (the engine then fails to
        // remove the network for it, again and again), and the redeployed Traefik cannot bind its port.
        for (let i = 0; i < 90; i++) {
            const left = await Promise.all(
                removed.map(async (stack) => (await run("docker", ["ps", "-aq", "--filter", `label=com.docker.stack.namespace=${stack}`])).stdout.trim()),
            );
            if (left.every((ids) => ids === "")) break;
            await new Promise((r) => setTimeout(r, 1000));
        }
        // Swarm frees the network only once the stack's tasks are gone: retry, bounded, until it is.
        for (let i = 0; i < 60; i++) {
            await run("docker", ["network", "rm", network]);
            if ((await run("docker", ["network", "inspect", network])).code !== 0) break;
            await new Promise((r) => setTimeout(r, 1000));
        }
        expect((await run("docker", ["network", "inspect", network])).code, "the network is gone").not.toBe(0);
        const isNetwork = (urn: string) => urn.endsWith("SwarmNetwork::slipway-host-proxy");
        expect((await urnsInState(t.stack)).filter(isNetwork)).toHaveLength(1);

        const refresh = await t.stack.refresh();

        expect(refresh.summary.resourceChanges?.delete).toBe(1);
        const remaining = await urnsInState(t.stack);
        expect(remaining.filter(isNetwork)).toEqual([]);
        expect(remaining.some((urn) => urn.endsWith(`label-${labelKey}`))).toBe(true);

        await t.stack.up();
        expect(await docker("network", "inspect", network, "--format", "{{.Driver}}")).toBe("overlay");
        // The stacks removed by hand are deployed again (their probes found them missing), and Traefik answers.
        for (const stack of ["proxy", "registry", "ci"])
            expect(await docker("stack", "services", `${t.stack.name}-${stack}`, "--format", "{{.Name}}"), stack).not.toBe("");
        const ca = (await t.stack.outputs()).proxyCaCertificate?.value as string;
        let ping = 0;
        for (let i = 0; i < 30 && ping !== 200; i++) {
            ping = (await request("https", `proxy.${DOMAIN}`, ports.https, "/ping", ca).catch(() => ({ status: 0 }))).status;
            if (ping !== 200) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(ping).toBe(200);
        // ... and the next up has nothing left to do.
        const changes = changedSteps();
        await t.stack.up({ onEvent: changes.onEvent });
        expect(changes.steps).toEqual([]);
    });

    it("destroy leaves no network, label, service, secret, config or volume behind", async () => {
        const result = await t.stack.destroy();
        expect(result.summary.result).toBe("succeeded");

        expect((await run("docker", ["network", "inspect", network])).code).not.toBe(0);
        expect((await nodeLabels())[labelKey]).toBeUndefined();
        for (const filter of [
            `label=slipway.stack=${t.stack.name}`,
            `label=com.docker.stack.namespace=${t.stack.name}-proxy`,
            `label=com.docker.stack.namespace=${t.stack.name}-registry`,
            `label=com.docker.stack.namespace=${t.stack.name}-ci`,
            `label=com.docker.stack.namespace=${t.stack.name}-maintenance`,
        ]) {
            for (const kind of ["network", "service", "secret", "config", "volume"]) {
                expect(await docker(kind, "ls", "--quiet", "--filter", filter), `${kind} ${filter}`).toBe("");
            }
        }
    });
});
