// A site from zero, as an operator brings one up: a Docker Engine in its own network namespace
// with an sshd (test/support/workerNode), in no swarm and holding no image, is the manager.
// The operator guide's bootstrap block runs as written (only the site's values substituted):
// the swarm is initialised over SSH with the stack's key, the platform images are shipped to
// it, and the site answers over HTTPS with its own certificate. A second up changes and ships
// nothing; destroy leaves nothing Slipway made there. Failures say which host, why, and the fix.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restoreSite } from "../../tooling/backup/backup";
import { RegistryClient } from "../../lib/oci/client";
import { renderLocalCertificateScript } from "../../lib/tls/localCertificateScript";
import { must, run } from "../support/exec";
import { guideBlock } from "../support/guide";
import { addHosts, removeHosts } from "../support/hostsFile";
import { pushImage } from "../support/images";
import { cosignKeys, cosignSign } from "../support/cosign";
import { platformImage } from "../../lib/images/images";
import { ROOT } from "../support/prerequisites";
import { changedSteps, throwawayStack, type ThrowawayStack } from "../support/stack";
import { startWorkerNode, type WorkerNode } from "../support/workerNode";

const DOMAIN = "site.slipway.test";
const REVISION = "7c0ffee7c0ffee7c0ffee7c0ffee7c0ffee7c0ff";
const GUIDE = { host: "203.0.113.10", user: "deploy", domain: "gamma.slipway.example.org", key: "~/.ssh/id_ed25519" };

/** GET over HTTPS from the site's address, named as a browser would name it. */
function get(address: string, host: string, path: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        https
            .get({ host: address, port: 443, path, headers: { host, ...headers }, servername: host, ca, timeout: 10_000 }, (res) => {
                let body = "";
                res.on("data", (c: Buffer) => (body += c.toString()));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            })
            .on("error", reject);
    });
}

/** Polls `probe` until it holds, at most `tries` times a second apart (Traefik routes on its next poll). */
async function eventually<T>(probe: () => Promise<T>, holds: (value: T) => boolean, tries = 60): Promise<T> {
    let value = await probe().catch(() => undefined as T);
    for (let i = 1; i < tries && !holds(value); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        value = await probe().catch(() => undefined as T);
    }
    return value;
}

/** The site's material as an operator has it: a certificate from a private CA, the SSH key, the forge's OAuth secret. */
async function siteFiles(dir: string, node: WorkerNode): Promise<{ ca: string }> {
    const site = JSON.parse(await must("bash", ["-c", renderLocalCertificateScript({ domain: DOMAIN })])) as { ca: string; certificate: string; key: string };
    writeFileSync(join(dir, "wildcard.crt"), site.certificate);
    writeFileSync(join(dir, "wildcard.key"), site.key, { mode: 0o600 });
    writeFileSync(join(dir, "ca.crt"), site.ca);
    writeFileSync(join(dir, "id_ed25519"), node.privateKey, { mode: 0o600 });
    writeFileSync(join(dir, "oauth-client-secret.txt"), "remote-site-oauth-secret");
    return { ca: site.ca };
}

/** Runs the guide's bootstrap block for `t` against `node`: its lines as written, the site's values in place of the guide's. */
async function runBootstrap(t: ThrowawayStack, node: WorkerNode, dir: string): Promise<string[]> {
    const address = new URL(node.endpoint).hostname;
    const env = { ...process.env, PULUMI_BACKEND_URL: `file://${t.backend}`, PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway" };
    const ran: string[] = [];
    for (const written of guideBlock("bootstrap")) {
        // The throwaway stack is the one `stack init` makes: created already, on its own backend.
        if (written.startsWith("pulumi stack init ")) continue;
        const line = written
            .replaceAll(`${GUIDE.user}@${GUIDE.host}`, `root@${address}`)
            .replaceAll(GUIDE.host, address)
            .replaceAll(GUIDE.domain, DOMAIN)
            .replaceAll(GUIDE.key, join(dir, "id_ed25519"))
            // The checkout is the project; the throwaway stack is the one to set.
            .replace(/^pulumi (config set|up) /, `pulumi --cwd ${ROOT} $1 --stack ${t.stack.name} `);
        const result = await run("bash", ["-c", line], { cwd: dir, env, timeoutMs: 1_200_000 });
        if (result.code !== 0) throw new Error(`the guide's line \`${written}\` failed (${line}):\n${result.stderr}\n${result.stdout.slice(-4000)}`);
        ran.push(written);
    }
    return ran;
}

describe("a remote site from zero, over SSH", () => {
    let node: WorkerNode;
    let t: ThrowawayStack;
    let dir: string;
    let ca: string;
    let address: string;
    const remote = (...args: string[]) => must("docker", ["-H", `unix://${node.socket}`, ...args]);

    beforeAll(async () => {
        node = await startWorkerNode();
        address = new URL(node.endpoint).hostname;
        t = await throwawayStack(() => ({}));
        dir = mkdtempSync(join(tmpdir(), "slipway-e2e-site-"));
        ({ ca } = await siteFiles(dir, node));
        addHosts(
            t.id,
            address,
            ["proxy", "registry", "ci", "web"].map((n) => `${n}.${DOMAIN}`),
        );
        // The site's engine pulls from its own registry, trusting the site's CA (the filesystem is shared).
        mkdirSync(`/etc/docker/certs.d/registry.${DOMAIN}`, { recursive: true });
        writeFileSync(`/etc/docker/certs.d/registry.${DOMAIN}/ca.crt`, ca);
    });
    afterAll(async () => {
        try {
            await t?.dispose();
        } finally {
            removeHosts(t?.id ?? "");
            rmSync(`/etc/docker/certs.d/registry.${DOMAIN}`, { recursive: true, force: true });
            await node?.dispose();
            if (dir) rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the operator guide's bootstrap brings up a site on an empty host", async () => {
        expect(await remote("info", "--format", "{{.Swarm.LocalNodeState}}")).toBe("inactive");
        expect(await remote("image", "ls", "--quiet")).toBe("");
        const ran = await runBootstrap(t, node, dir);
        expect(ran.at(-1)).toBe("pulumi up --yes");
        // The swarm was made there, advertised at the address the endpoint resolves to.
        expect(await remote("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}")).toBe(`active true ${address}`);
        // Every platform service runs there, from the images shipped over SSH (by ID, nothing pulled).
        const services = (await remote("service", "ls", "--format", "{{.Name}} {{.Replicas}} {{.Image}}")).split("\n").sort();
        for (const s of ["proxy_traefik", "proxy_socket-proxy", "registry_registry", "ci_server", "ci_agent"])
            expect(
                services.some((l) => l.startsWith(`${t.stack.name}-${s} 1/1 sha256:`)),
                `${s} in ${services.join("; ")}`,
            ).toBe(true);
        const images = (await remote("image", "ls", "--format", "{{.Repository}}")).split("\n");
        // The services' images, and the CI's step images its agent runs pipelines in.
        expect(images.filter((r) => r.startsWith("slipway/")).sort()).toEqual([
            "slipway/ci-build",
            "slipway/ci-clone",
            "slipway/registry",
            "slipway/socket-proxy",
            "slipway/traefik",
            "slipway/woodpecker-agent",
            "slipway/woodpecker-server",
        ]);
        // The key reached the host only through the stack's access folder: no operator ssh setup exists for it.
        expect((await run("ssh", ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", `root@${address}`, "true"], { timeoutMs: 20_000 })).code).not.toBe(
            0,
        );
    });

    it("answers over HTTPS with the site certificate: Traefik's ping, the registry (401, then push and pull), CI's health", async () => {
        const outputs = await t.stack.outputs();
        expect(outputs.proxyPingUrl?.value).toBe(`https://proxy.${DOMAIN}/ping`);
        expect(
            await eventually(
                () => get(address, `proxy.${DOMAIN}`, "/ping", ca),
                (r) => r?.status === 200,
            ),
        ).toMatchObject({ status: 200, body: "OK" });
        expect(
            (
                await eventually(
                    () => get(address, `registry.${DOMAIN}`, "/v2/", ca),
                    (r) => r?.status === 401,
                )
            ).status,
        ).toBe(401);
        expect(
            (
                await eventually(
                    () => get(address, `ci.${DOMAIN}`, "/healthz", ca),
                    (r) => r?.status === 200,
                )
            ).status,
        ).toBe(200);

        // A push and a pull through registry.<domain>, by name as DNS gives it, trusting the site's CA.
        const client = new RegistryClient({
            registry: `registry.${DOMAIN}`,
            ca,
            credentials: { username: outputs.registryUsername?.value as string, password: outputs.registryPassword?.value as string },
        });
        try {
            const pushed = await pushImage(client, "apps/site", "v1", "pushed to the remote site");
            expect(await client.resolve("apps/site", "v1")).toBe(pushed.digest);
            expect((await client.getManifest("apps/site", pushed.digest)).bytes.equals(pushed.bytes)).toBe(true);
        } finally {
            client.close();
        }
    });

    it("publishes disk images to the site's registry, promotes a signed staging image, and a consumer stack serves it there", async () => {
        const keys = await cosignKeys("site-key-password");
        const outputs = await t.stack.outputs();
        const registry = `registry.${DOMAIN}`;
        const auth = join(dir, "auth");
        mkdirSync(auth, { recursive: true });
        writeFileSync(join(auth, "ca.crt"), ca);
        writeFileSync(
            join(auth, "config.json"),
            JSON.stringify({
                auths: {
                    [registry]: {
                        auth: Buffer.from(`${outputs.registryUsername?.value as string}:${outputs.registryPassword?.value as string}`).toString("base64"),
                    },
                },
            }),
        );
        // What CI does for a commit: an image labelled with its revision, pushed to staging, signed with the site key.
        const context = join(dir, "web");
        mkdirSync(context, { recursive: true });
        writeFileSync(join(context, "Dockerfile"), `FROM ${platformImage("traefik").ref}\nLABEL org.opencontainers.image.revision=${REVISION}\n`);
        const image = `slipway-e2e-site-web:${t.id}`;
        await must("docker", ["build", "--quiet", "-t", image, context]);
        await must("skopeo", [
            "copy",
            "--dest-cert-dir",
            auth,
            "--authfile",
            join(auth, "config.json"),
            `docker-daemon:${image}`,
            `docker://${registry}/apps/web:staging`,
        ]);
        await run("docker", ["image", "rm", image]);
        const client = new RegistryClient({
            registry,
            ca,
            credentials: { username: outputs.registryUsername?.value as string, password: outputs.registryPassword?.value as string },
        });
        const staged = await client.resolve("apps/web", "staging");
        client.close();
        await cosignSign(keys, `${registry}/apps/web@${staged}`, { dockerConfig: auth });

        const set = (key: string, value: string, secret = false) => t.stack.setConfig(`slipway:${key}`, { value, secret }, !secret);
        await set("signing.publicKey", keys.publicKeyPem);
        await set("signingKey", readFileSync(keys.key, "utf8"), true);
        await set("signingKeyPassword", keys.password, true);
        await set("diskImages[0].name", "edge");
        await set("diskImages[0].architectures[0]", "amd64");
        await set("diskImages[0].families[0]", "kernel-initrd");
        await set("diskImages[0].kernel.amd64", "6.1.0-56-cloud-amd64");
        await set("promotion[0].name", "web");
        await set("promotion[0].source", `${registry}/apps/web:staging`);
        await set("promotion[0].target", `${registry}/apps/web:prod`);
        await set("promotion[0].expectedRevision", REVISION);
        await t.stack.up();

        const after = await t.stack.outputs();
        const current = (after.diskImageCurrent?.value as Record<string, { indexRef: string }>)["edge/kernel-initrd"]!;
        expect(current.indexRef.startsWith(`${registry}/disk-images/edge/kernel-initrd@sha256:`)).toBe(true);
        // The real cosign verifies the publication on the site, trusting the site's CA and key.
        writeFileSync(join(auth, "bundle.pem"), readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + ca);
        const verify = await run("cosign", ["verify", "--key", join(keys.dir, "cosign.pub"), "--insecure-ignore-tlog", current.indexRef], {
            env: { ...process.env, DOCKER_CONFIG: auth, SSL_CERT_FILE: join(auth, "bundle.pem") },
        });
        expect(verify.code, verify.stderr).toBe(0);
        expect((after.promotions?.value as Record<string, { digest: string }>).web!.digest).toBe(staged);

        // Another team's stack deploys the promoted digest on the site, through its own SSH key, behind the site's Traefik.
        const consumer = await throwawayStack(
            () => ({
                "slipway-consumer:producer": { value: `organization/slipway/${t.stack.name}` },
                "slipway-consumer:endpoint": { value: node.endpoint },
                "slipway-consumer:knownHosts": { value: node.knownHosts },
                "slipway-consumer:sshPrivateKey": { value: node.privateKey, secret: true },
                "slipway-consumer:service": {
                    value: JSON.stringify({
                        promotion: "web",
                        port: 8080,
                        command: ["--ping=true", "--entrypoints.http.address=:8080", "--ping.entrypoint=http"],
                    }),
                },
            }),
            join(ROOT, "examples", "consumer"),
            t.backend,
        );
        try {
            const result = await consumer.stack.up();
            expect(result.outputs.serviceImage?.value).toBe(`${registry}/apps/web@${staged}`);
            expect(await remote("service", "inspect", `${consumer.stack.name}-web_web`, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")).toBe(
                `${registry}/apps/web@${staged}`,
            );
            expect(
                await eventually(
                    () => get(address, `web.${DOMAIN}`, "/ping", ca),
                    (r) => r?.status === 200,
                ),
            ).toMatchObject({ status: 200, body: "OK" });
        } finally {
            await consumer.dispose();
        }
    });

    it("a second up changes nothing and ships no image", async () => {
        const imageIds = async () => (await remote("image", "ls", "--all", "--no-trunc", "--quiet")).split("\n").sort();
        const before = await imageIds();
        const { onEvent, steps } = changedSteps();
        const up = await t.stack.up({ onEvent });
        expect(steps).toEqual([]);
        expect(up.summary.resourceChanges).not.toHaveProperty("update");
        expect(await imageIds()).toEqual(before);
    });

    it("a second host joins the site as its worker over SSH with the site's key, and leaves when removed from config", async () => {
        const worker = await startWorkerNode({ authorizedKey: node.publicKey });
        try {
            await t.stack.setConfig("slipway:host.workers[0].name", { value: "w1" }, true);
            await t.stack.setConfig("slipway:host.workers[0].endpoint", { value: worker.endpoint }, true);
            await t.stack.setConfig("slipway:host.knownHosts", { value: `${node.knownHosts}\n${worker.knownHosts}` }, true);
            const up = await t.stack.up();
            const joined = (up.outputs.workers?.value as Record<string, { nodeId: string }>).w1!;
            expect(await remote("node", "inspect", joined.nodeId, "--format", '{{.Status.State}} {{index .Spec.Labels "slipway.worker"}}')).toBe("ready w1");
            expect(await must("docker", ["-H", `unix://${worker.socket}`, "info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("active");

            await t.stack.removeConfig("slipway:host.workers", true);
            await t.stack.setConfig("slipway:host.knownHosts", { value: node.knownHosts }, true);
            await t.stack.up();
            expect(await must("docker", ["-H", `unix://${worker.socket}`, "info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("inactive");
            expect((await remote("node", "ls", "--quiet")).split("\n")).toHaveLength(1);
        } finally {
            await worker.dispose();
        }
    });

    it("images removed from the host by hand are shipped again by the next up", async () => {
        const id = (await remote("service", "inspect", `${t.stack.name}-registry_registry`, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")).split(
            "@",
        )[0]!;
        // An image no container uses: the CI agent's, with its service scaled away for a moment.
        const agent = await remote("service", "inspect", `${t.stack.name}-ci_agent`, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}");
        await remote("service", "scale", "--detach=false", `${t.stack.name}-ci_agent=0`);
        await remote("image", "rm", "--force", agent);
        const preview = await t.stack.preview();
        expect(preview.changeSummary.update).toBeGreaterThanOrEqual(1);
        await t.stack.up();
        expect(await remote("image", "inspect", "--format", "{{.Id}}", agent)).toBe(agent);
        await remote("service", "scale", "--detach=false", `${t.stack.name}-ci_agent=1`);
        expect(id).toMatch(/^sha256:/);
    });

    const left = async (kind: string) => (await remote(kind, "ls", "--quiet", "--filter", `label=slipway.stack=${t.stack.name}`)).split("\n").filter(Boolean);

    it("the site's data outlives destroy by default: up again finds every digest pushed before", async () => {
        const outputs = await t.stack.outputs();
        const credentials = { username: outputs.registryUsername?.value as string, password: outputs.registryPassword?.value as string };
        const pushed = await (async () => {
            const client = new RegistryClient({ registry: `registry.${DOMAIN}`, ca, credentials });
            try {
                return await client.resolve("apps/site", "v1");
            } finally {
                client.close();
            }
        })();
        await t.stack.destroy();
        for (const kind of ["service", "secret", "config"]) expect(await left(kind), kind).toEqual([]);
        // The registry's blobs and the CI database are kept, and said to be.
        expect((await left("volume")).sort()).toEqual([`${t.stack.name}-ci_data`, `${t.stack.name}-registry_registry-data`]);

        await t.stack.up();
        const again = (await t.stack.outputs()).registryPassword?.value as string;
        await eventually(
            () => get(address, `registry.${DOMAIN}`, "/v2/", ca),
            (r) => r?.status === 401,
        );
        const client = new RegistryClient({ registry: `registry.${DOMAIN}`, ca, credentials: { ...credentials, password: again } });
        try {
            expect(
                await eventually(
                    () => client.resolve("apps/site", "v1"),
                    (d) => d === pushed,
                ),
            ).toBe(pushed);
        } finally {
            client.close();
        }
    });

    /** The registry as a client of the site sees it now (the password changes with every new site). */
    async function siteRegistry(): Promise<RegistryClient> {
        const outputs = await t.stack.outputs();
        await eventually(
            () => get(address, `registry.${DOMAIN}`, "/v2/", ca),
            (r) => r?.status === 401,
        );
        return new RegistryClient({
            registry: `registry.${DOMAIN}`,
            ca,
            credentials: { username: outputs.registryUsername?.value as string, password: outputs.registryPassword?.value as string },
        });
    }

    /** The CI database's rows, table by table, from a tar of its folder (Woodpecker rewrites the file's bytes when it starts). */
    function ciRows(tar: string): Record<string, unknown[]> {
        const file = join(dir, `ci-${Date.now()}.sqlite`);
        execFileSync("bash", ["-c", `tar -xOf ${tar} woodpecker/woodpecker.sqlite > ${file}`]);
        const db = new DatabaseSync(file, { readOnly: true });
        try {
            const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(
                (t) => t.name,
            );
            // An agent's heartbeat (updated, last_contact) moves every few seconds; the rest is the data.
            const stable = (table: string, row: Record<string, unknown>) =>
                table === "agents" ? { ...row, updated: undefined, last_contact: undefined } : row;
            return Object.fromEntries(
                tables.map((table) => [
                    table,
                    db
                        .prepare(`SELECT * FROM "${table}"`)
                        .all()
                        .map((row) => JSON.stringify(stable(table, row)))
                        .sort(),
                ]),
            );
        } finally {
            db.close();
            rmSync(file, { force: true });
        }
    }

    /** The CI database as it is on the host now (read through the server's container). */
    async function ciDatabase(): Promise<Record<string, unknown[]>> {
        const container = (await remote("ps", "--quiet", "--filter", `label=com.docker.swarm.service.name=${t.stack.name}-ci_server`)).split("\n")[0]!;
        const tar = join(dir, "ci-now.tar");
        await must("bash", ["-c", `docker -H unix://${node.socket} cp ${container}:/var/lib/woodpecker - > ${tar}`]);
        return ciRows(tar);
    }

    it("backs up the site's data, and restores it after a destroy that removed it", async () => {
        // A site with its promotion would (rightly) refuse to come up while its staging image is
        // gone: the data round trip is shown on the platform alone.
        for (const key of ["promotion", "diskImages", "signing", "signingKey", "signingKeyPassword"]) await t.stack.removeConfig(`slipway:${key}`);
        await t.stack.setConfig("slipway:host.dataOnDestroy", { value: "delete" }, true);
        await t.stack.up();
        const file = join(dir, "site-backup.tar");
        const lines = guideBlock("data-backup").map((l) => l.replaceAll("--stack gamma", `--stack ${t.stack.name}`).replaceAll("site-backup.tar", file));
        const env = { ...process.env, PULUMI_BACKEND_URL: `file://${t.backend}`, PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway" };
        const step = async (line: string) => {
            const result = await run("bash", ["-c", line], { cwd: ROOT, env, timeoutMs: 600_000 });
            expect(result.code, `${line}\n${result.stderr}`).toBe(0);
            return result;
        };
        let client = await siteRegistry();
        const pushed = await client.resolve("apps/site", "v1");
        client.close();
        const database = await ciDatabase();

        await step(lines[0]!);
        const manifest = JSON.parse(await must("tar", ["-xOf", file, "slipway-backup.json"])) as {
            site: { stack: string };
            parts: Array<{ name: string; sha256: string; tags?: Record<string, string> }>;
        };
        expect(manifest.site.stack).toBe(t.stack.name);
        expect(manifest.parts.map((p) => p.name)).toEqual(["registry", "ci"]);
        expect(manifest.parts[0]!.tags?.["apps/site:v1"]).toBe(pushed);

        // The deleting policy: destroy removes the data (checked), up makes an empty site.
        await t.stack.destroy();
        expect(await left("volume")).toEqual([]);
        await t.stack.up();
        client = await siteRegistry();
        await expect(client.resolve("apps/site", "v1")).rejects.toMatchObject({ status: 404 });
        client.close();

        // Another site's backup is refused; this one's comes back, every digest pulling and verifying.
        const other = { stack: "e2e-other", domain: "other.slipway.test", endpoint: node.endpoint, parts: [] };
        await expect(restoreSite(other, file, {}, {}, () => undefined)).rejects.toThrow(
            `is a backup of ${t.stack.name} (${DOMAIN}), not of e2e-other (other.slipway.test): restore it there, or pass --force`,
        );
        await step(lines[1]!);
        client = await siteRegistry();
        try {
            expect(
                await eventually(
                    () => client.resolve("apps/site", "v1"),
                    (d) => d === pushed,
                ),
            ).toBe(pushed);
            // Every tag the backup lists names its digest again, and its blobs hash to theirs.
            for (const [tagged, digest] of Object.entries(manifest.parts[0]!.tags!)) {
                const repository = tagged.slice(0, tagged.lastIndexOf(":"));
                const m = await client.getManifest(repository, digest);
                for (const blob of [m.manifest.config, ...(m.manifest.layers ?? [])]) if (blob) await client.getBlob(repository, blob.digest);
            }
        } finally {
            client.close();
        }
        // The CI database holds again exactly the rows it held (its tables, row for row).
        expect(await ciDatabase()).toEqual(database);
        expect(Object.keys(database).length).toBeGreaterThan(5);
    });

    it("with host.dataOnDestroy delete, destroy leaves nothing Slipway made on the host: services, networks, secrets, configs, volumes, images", async () => {
        await t.stack.destroy();
        for (const kind of ["service", "secret", "config", "network", "volume"]) expect(await left(kind), kind).toEqual([]);
        expect((await remote("image", "ls", "--format", "{{.Repository}}")).split("\n").filter((r) => r.startsWith("slipway/"))).toEqual([]);
    });
});

describe("a host that cannot be a site's manager fails up naming the host, the cause and the fix, and changes nothing", () => {
    let node: WorkerNode;
    let dir: string;
    beforeAll(async () => {
        node = await startWorkerNode();
        dir = mkdtempSync(join(tmpdir(), "slipway-e2e-badsite-"));
    });
    afterAll(async () => {
        await node?.dispose();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const attempt = async (endpoint: string, knownHosts: string, privateKey = node.privateKey): Promise<string> => {
        const t = await throwawayStack((id) => ({
            "slipway:host.endpoint": { value: endpoint },
            "slipway:host.knownHosts": { value: knownHosts },
            "slipway:host.networkName": { value: `e2e-${id}-proxy` },
            "slipway:sshPrivateKey": { value: privateKey, secret: true },
            "slipway:proxy.domain": { value: DOMAIN },
        }));
        try {
            const error = await t.stack.up().then(
                () => undefined,
                (e: unknown) => e as Error,
            );
            expect(error, "up must fail").toBeInstanceOf(Error);
            return error!.message;
        } finally {
            await t.dispose();
        }
    };
    const nothingChanged = async () => {
        expect(await must("docker", ["-H", `unix://${node.socket}`, "info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("inactive");
        expect(await must("docker", ["-H", `unix://${node.socket}`, "image", "ls", "--quiet"])).toBe("");
    };

    it("an unreachable host", async () => {
        const message = await attempt(node.endpoint.replace(/@([\d.]+)$/, "@$1:2222"), node.knownHosts.replace(/^(\S+)/, "[$1]:2222"));
        expect(message).toMatch(/cannot be reached over SSH \(.*Connection refused.*\)\. Check the address in host\.endpoint/);
        await nothingChanged();
    });

    it("a wrong host key", async () => {
        const other = await must("bash", ["-c", `ssh-keygen -q -t ed25519 -N '' -f ${dir}/other && cut -d' ' -f1,2 ${dir}/other.pub`]);
        const message = await attempt(node.endpoint, `${new URL(node.endpoint).hostname} ${other}`);
        expect(message).toMatch(
            /the host key of [\d.]+ is not the one host\.knownHosts holds .*ssh-keyscan [\d.]+ > known_hosts && pulumi config set --path host\.knownHosts < known_hosts/,
        );
        await nothingChanged();
    });

    it("a host without a Docker Engine", async () => {
        const bare = await startWorkerNode({ engine: false });
        try {
            const message = await attempt(bare.endpoint, bare.knownHosts, bare.privateKey);
            expect(message).toMatch(/[\d.]+ has no Docker Engine answering \(.*\)\. Install Docker Engine there/);
        } finally {
            await bare.dispose();
        }
    });
});
