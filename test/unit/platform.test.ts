import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../config";
import { imagePlan } from "../../lib/images/plan";
import { Platform } from "../../components/platform";
import { promiseOf, recordResources, registered, settled, setStackConfig, type RecordedResource } from "../support/mocks";
import { readStackFile } from "../support/stackFile";
import { DISK_INPUTS, imageOf } from "../support/platformFixtures";

const IMAGES = (config: PlatformConfig) => imagePlan(config, imageOf);
/** The Platform of the stack config set last. */
function platformOf(config = loadConfig()): Platform {
    return new Platform("slipway", { config, images: IMAGES(config), diskImageInputs: DISK_INPUTS });
}

describe("Platform wiring", () => {
    let recorded: RecordedResource[];
    // Mocks once per file: resetting them between tests would orphan registrations still in flight.
    beforeAll(async () => {
        recorded = await recordResources("gamma");
    });
    beforeEach(() => {
        recorded.length = 0;
    });

    it("builds the gamma site's swarm host from its stack file", async () => {
        setStackConfig(readStackFile("gamma"));
        const platform = platformOf();
        expect(await promiseOf(platform.host.networkName)).toBe("proxy");

        const byType = (type: string) => recorded.filter((r) => r.type === type);
        expect(byType("pulumi-nodejs:dynamic/slipway:SwarmNetwork")[0]!.inputs).toMatchObject({
            endpoint: "ssh://deploy@203.0.113.10",
            name: "proxy",
            driver: "overlay",
            attachable: true,
            labels: { "slipway.stack": "gamma", "slipway.role": "proxy" },
        });
        const labels = byType("command:local:Command").filter((r) => r.name.startsWith("slipway-host-label-"));
        expect(labels.map((r) => r.name)).toEqual(["slipway-host-label-slipway.ingress"]);
        expect(labels[0]!.inputs.create).toContain("--label-add slipway.ingress=true");
        expect(labels[0]!.inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@203.0.113.10" });
    });

    it("reaches an ssh:// manager with the stack's key and host keys, through one access folder", async () => {
        setStackConfig(readStackFile("gamma"));
        const platform = platformOf();
        await promiseOf(platform.proxy.pingUrl);
        const access = await registered(recorded, "slipway-host-ssh-access");
        expect(access.inputs.create).toBe("node bin/scripts/sshAccess.js write ssh-access/gamma");
        expect(access.inputs.delete).toBe("node bin/scripts/sshAccess.js remove ssh-access/gamma");
        // The key only in the command's environment, as a secret; the host keys are the stack's.
        expect(JSON.stringify(access.inputs.environment)).toContain("SLIPWAY_KNOWN_HOSTS");
        const manager = await registered(recorded, "slipway-host-manager");
        expect(manager.inputs).toMatchObject({ endpoint: "ssh://deploy@203.0.113.10", sshAccess: "ssh-access/gamma" });
        expect((await registered(recorded, "slipway-host-proxy")).inputs).toMatchObject({ sshAccess: "ssh-access/gamma" });
        // Every command that runs docker against the manager goes through the folder, none with the operator's ssh.
        for (const command of [
            "slipway-host-label-slipway.ingress",
            "slipway-proxy-stack",
            "slipway-registry-stack",
            "slipway-ci-stack",
            "slipway-proxy-tls-key",
        ]) {
            const r = await registered(recorded, command);
            expect(r.inputs.interpreter, command).toEqual([
                "node",
                "bin/scripts/withSsh.js",
                "ssh-access/gamma",
                command.endsWith("-stack") ? "/bin/bash" : "/bin/sh",
                "-c",
            ]);
        }
        for (const probe of ["slipway-proxy-stack-probe", "slipway-ci-stack-probe"])
            expect((await registered(recorded, probe)).inputs).toMatchObject({ sshAccess: "ssh-access/gamma" });
        // The platform images go over the same access, for whichever arch the node turns out to be.
        const shipped = await registered(recorded, "slipway-images");
        expect(shipped.inputs).toMatchObject({ endpoint: "ssh://deploy@203.0.113.10", sshAccess: "ssh-access/gamma" });
        const byArch = shipped.inputs.byArch as Record<string, Record<string, { id: string }>>;
        expect(Object.keys(byArch).sort()).toEqual(["amd64", "arm64"]);
        expect(byArch.arm64!.traefik!.id).toBe(imageOf("traefik", "arm64").id);
        // No dynamic provider is handed the key.
        for (const r of recorded.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic"))) expect(JSON.stringify(r.inputs)).not.toContain("PRIVATE KEY");
    });

    it("previews the gamma site as the expected resource graph", async () => {
        setStackConfig(readStackFile("gamma"));
        const platform = platformOf();
        // Registration follows outputs: wait for the last links of each chain.
        await promiseOf(platform.promotions);
        await Promise.all(platform.diskImages.map((p) => promiseOf(p.current)));
        await registered(recorded, "slipway-disk-edge-node-oci-retention");
        // As a set: registrations of the previous test (the same site) may still be arriving.
        const graph = [...new Set(recorded.map((r) => `${r.type} ${r.name}`))].sort();
        expect(graph).toMatchSnapshot();
        // One build per (arch, family); one publication chain (push → sign → verify → retain) per family.
        expect(graph.filter((g) => /Command slipway-disk-edge-node-[a-z0-9-]+-(amd64|arm64)$/.test(g))).toHaveLength(12);
        for (const step of ["push", "sign", "verify", "retention"])
            expect(graph.filter((g) => g.endsWith(`-${step}`) && g.includes("slipway-disk-edge-node-"))).toHaveLength(6);

        // The promotion: the staging tag verified with the site's key, then exactly that digest promoted.
        const verify = await registered(recorded, "slipway-promotions-web-verify");
        expect(verify.inputs).toMatchObject({
            reference: "registry.gamma.slipway.example.org/apps/web:staging",
            policy: { publicKey: expect.stringContaining("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcqNP4pvHTm") as unknown },
            credentialsDir: "registry-auth/gamma-slipway-promotions",
        });
        const promotion = await registered(recorded, "slipway-promotions-web");
        expect(promotion.inputs).toMatchObject({
            target: "registry.gamma.slipway.example.org/apps/web:prod",
            expectedRevision: "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f",
            verifiedDigest: `sha256:${"7".repeat(64)}`,
            connection: { credentialsDir: "registry-auth/gamma-slipway-promotions" },
        });
        expect(await promiseOf(platform.promotions)).toEqual({
            web: {
                source: "registry.gamma.slipway.example.org/apps/web:staging",
                target: "registry.gamma.slipway.example.org/apps/web:prod",
                ref: `registry.gamma.slipway.example.org/apps/web@sha256:${"7".repeat(64)}`,
                digest: `sha256:${"7".repeat(64)}`,
                revision: "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f",
                signer: "key:mock",
            },
        });
        // Its login holds the registry password only as a secret in a command's environment; no dynamic provider gets one.
        const login = await registered(recorded, "slipway-promotions-registry-login");
        expect(login.inputs.create).toBe("node bin/scripts/registryAuth.js login registry.gamma.slipway.example.org registry-auth/gamma-slipway-promotions");
        for (const r of recorded.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic"))) expect(JSON.stringify(r.inputs)).not.toContain("mock-random-");
    });

    it("deploys Traefik with the site's certificate as swarm secrets, the socket only behind the proxy", async () => {
        setStackConfig(readStackFile("gamma"));
        const platform = platformOf();
        expect(await promiseOf(platform.proxy.pingUrl)).toBe("https://proxy.gamma.slipway.example.org/ping");
        const stack = await registered(recorded, "slipway-proxy-stack");
        // The site's own certificate: no local CA is generated.
        expect(recorded.map((r) => r.name)).not.toContain("slipway-proxy-local-certificate");
        const key = await registered(recorded, "slipway-proxy-tls-key");
        expect(key.inputs.create).toMatch(/^docker secret create --label slipway\.stack=gamma gamma-proxy-tls-key-[a-f0-9]{12} - >\/dev\/null$/);
        expect(key.inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@203.0.113.10" });

        const compose = JSON.parse(stack.inputs.stdin as string) as {
            services: Record<string, { image: string; volumes?: Array<{ source: string }>; ports?: Array<{ mode: string; published: number }> }>;
        };
        // A remote manager runs what was shipped to it, for its architecture (the mock's node is amd64).
        expect(compose.services.traefik!.image).toBe(imageOf("traefik", "amd64").id);
        expect(compose.services["socket-proxy"]!.image).toBe(imageOf("socket-proxy", "amd64").id);
        expect(compose.services.traefik!.volumes).toBeUndefined();
        expect(compose.services["socket-proxy"]!.volumes).toEqual([
            { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", read_only: true },
        ]);
        expect(compose.services.traefik!.ports).toEqual([
            { target: 80, published: 80, protocol: "tcp", mode: "host" },
            { target: 443, published: 443, protocol: "tcp", mode: "host" },
        ]);
        // Secret material never reaches the compose document (it is not a secret input there).
        expect(stack.inputs.stdin).not.toContain("PRIVATE KEY");

        // CI: secrets reach Woodpecker as files; the compose document names them only.
        const ci = JSON.parse((await registered(recorded, "slipway-ci-stack")).inputs.stdin as string) as {
            services: Record<string, { image: string; environment: Record<string, string> }>;
        };
        expect(ci.services.server!.image).toBe(imageOf("woodpecker-server", "amd64").id);
        expect(ci.services.agent!.environment).toMatchObject({ WOODPECKER_SERVER: "server:9000", WOODPECKER_FILTER_LABELS: "disk-image-builder=true" });
        for (const service of Object.values(ci.services)) {
            for (const [key, value] of Object.entries(service.environment))
                if (/SECRET|TOKEN/.test(key)) expect(key.endsWith("_FILE") && value.startsWith("/run/secrets/"), key).toBe(true);
        }
        expect(ci.services.server!.environment.WOODPECKER_GITEA_URL).toBe("https://git.gamma.slipway.example.org");
    });

    it("refuses a CI engine that cannot be built here with the other config problems, before any resource, saying what to set", () => {
        const gamma = readStackFile("gamma");
        const ci = JSON.parse(gamma.ci!.value) as Record<string, unknown>;
        setStackConfig({ ...gamma, ci: { value: JSON.stringify({ ...ci, engine: "drone" }), secret: false } });
        expect(() => loadConfig()).toThrow(
            /slipway:ci\.engine "drone" cannot run here.*\n\s+fix: pulumi config set --stack gamma --path ci\.engine woodpecker/,
        );
        expect(recorded).toEqual([]);
    });

    it("declares each configured repository in the platform registry with the platform's login, and refuses one declared twice", async () => {
        const gamma = readStackFile("gamma");
        const registry = JSON.parse(gamma.registry!.value) as Record<string, unknown>;
        setStackConfig({ ...gamma, registry: { value: JSON.stringify({ ...registry, repositories: ["apps/web", "apps/api"] }), secret: false } });
        const platform = platformOf();
        const host = await promiseOf(platform.registry.host);
        for (const name of ["apps/web", "apps/api"]) {
            const declared = await registered(recorded, `slipway-entries-repository-${name.replace("/", "-")}`);
            expect(declared.inputs).toMatchObject({ repository: `${host}/${name}` });
            // Never a credential as an input: the login's folder only.
            expect(
                Object.keys(declared.inputs)
                    .filter((k) => !k.startsWith("__"))
                    .sort(),
            ).toEqual(["connection", "repository", "version"]);
            expect(Object.keys(declared.inputs.connection as object)).toEqual(["credentialsDir"]);
        }
        setStackConfig({ ...gamma, registry: { value: JSON.stringify({ ...registry, repositories: ["apps/web", "apps/web"] }), secret: false } });
        expect(() => loadConfig()).toThrow(/each repository is declared once/);
    });

    it("mirrors each pinned upstream image into its own registry with the platform's login, and refuses two mirrors into one repository", async () => {
        const gamma = readStackFile("gamma");
        const registry = JSON.parse(gamma.registry!.value) as Record<string, unknown>;
        const from = `upstream.example.org/library/alpine:3.20@sha256:${"1".repeat(64)}`;
        setStackConfig({ ...gamma, registry: { value: JSON.stringify({ ...registry, mirrors: [{ from, to: "mirror/alpine" }] }), secret: false } });
        const platform = platformOf();
        const mirror = await registered(recorded, "slipway-entries-mirror-mirror-alpine");
        expect(mirror.inputs).toMatchObject({ from, to: `${await promiseOf(platform.registry.host)}/mirror/alpine` });
        expect((mirror.inputs.connection as { credentialsDir: string }).credentialsDir).toContain("registry-auth/");
        // Never a credential as an input: the login's folder only.
        expect(
            Object.keys(mirror.inputs)
                .filter((k) => !k.startsWith("__"))
                .sort(),
        ).toEqual(["connection", "from", "to", "version"]);
        expect(Object.keys(mirror.inputs.connection as object)).toEqual(["credentialsDir"]);
        setStackConfig({
            ...gamma,
            registry: {
                value: JSON.stringify({
                    ...registry,
                    mirrors: [
                        { from, to: "mirror/alpine" },
                        { from, to: "mirror/alpine" },
                    ],
                }),
                secret: false,
            },
        });
        expect(() => loadConfig()).toThrow(/each mirror needs its own repository/);
    });

    it("schedules the prune on every node and the registry's collection on the manager, from the maintenance image", async () => {
        const gamma = readStackFile("gamma");
        const host = JSON.parse(gamma.host!.value) as Record<string, unknown>;
        const registry = JSON.parse(gamma.registry!.value) as Record<string, unknown>;
        // Pinned to a registry the nodes pull from: run as is on every node, never shipped.
        const images = { maintenance: `registry.example.org/slipway/maintenance@sha256:${"6".repeat(64)}` };
        setStackConfig({
            ...gamma,
            host: { value: JSON.stringify({ ...host, pruneOlderThanHours: 168 }), secret: false },
            registry: { value: JSON.stringify({ ...registry, gcSchedule: "0 3 * * 0" }), secret: false },
            images: { value: JSON.stringify(images), secret: false },
        });
        const config = loadConfig();
        const plan = IMAGES(config);
        // The program's contract: a plan without the maintenance role is refused, not half-deployed.
        expect(
            () =>
                new Platform("slipway", {
                    config,
                    images: { ...plan, roles: plan.roles.filter((r) => r !== "maintenance"), pinned: {} },
                    diskImageInputs: DISK_INPUTS,
                }),
        ).toThrow(/the image plan lacks/);
        recorded.length = 0;
        const maintenanceImage = images.maintenance;
        platformOf(config);
        const compose = JSON.parse((await registered(recorded, "slipway-maintenance-stack")).inputs.stdin as string) as {
            services: Record<
                string,
                {
                    image: string;
                    init?: boolean;
                    environment?: Record<string, string>;
                    volumes: Array<{ source: string }>;
                    deploy: { mode?: string; placement?: { constraints: string[] } };
                }
            >;
        };
        expect(compose.services.prune).toMatchObject({ image: maintenanceImage, init: true, environment: { PRUNE_HOURS: "168" }, deploy: { mode: "global" } });
        expect(compose.services["registry-gc"]).toMatchObject({ image: maintenanceImage, deploy: { placement: { constraints: ["node.role == manager"] } } });
        const crontab = await registered(recorded, "slipway-maintenance-gc-crontab");
        expect(crontab.inputs.stdin).toBe("0 3 * * 0 sh /slipway/registry-gc.sh >/proc/1/fd/1 2>&1\n");
        const script = await registered(recorded, "slipway-maintenance-gc-script");
        // The collector makes exactly this stack's registry read-only.
        expect(script.inputs.stdin).toContain(`service=${loadConfig().stack}-registry_registry`);
    });

    it("joins each worker over SSH with the key only in its command's environment, after the network", async () => {
        const gamma = readStackFile("gamma");
        const host = JSON.parse(gamma.host!.value) as Record<string, unknown>;
        setStackConfig({
            ...gamma,
            host: {
                value: JSON.stringify({
                    ...host,
                    workers: [{ name: "builder-1", endpoint: "ssh://deploy@203.0.113.11", labels: { "slipway.disk-image-builder": true } }],
                    knownHosts: "203.0.113.11 ssh-ed25519 AAAAC3Nza",
                }),
                secret: false,
            },
        });
        const platform = platformOf();
        expect(await promiseOf(platform.host.workers)).toEqual({ "builder-1": { nodeId: "mocknode", hostname: "worker" } });
        const join = await registered(recorded, "slipway-host-worker-builder-1");
        expect(join.inputs).toMatchObject({ create: "node bin/scripts/swarmWorker.js join", delete: "node bin/scripts/swarmWorker.js leave" });
        // An environment holding the key reaches the engine as one secret (encrypted in state).
        const env = JSON.stringify(join.inputs.environment);
        expect(env.startsWith('{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"')).toBe(true);
        expect(env).toContain(
            JSON.stringify(
                JSON.stringify({
                    name: "builder-1",
                    manager: "ssh://deploy@203.0.113.10",
                    worker: "ssh://deploy@203.0.113.11",
                    labels: { "slipway.disk-image-builder": "true" },
                }),
            ).slice(1, -1),
        );
        expect(env).toContain("203.0.113.11 ssh-ed25519 AAAAC3Nza");
    });

    it("signs disk images with the site's key when it declares one, generating none", async () => {
        const PUBLIC = "-----BEGIN PUBLIC KEY-----\nsite\n-----END PUBLIC KEY-----\n";
        setStackConfig({
            ...readStackFile("local"),
            signing: { value: JSON.stringify({ publicKey: PUBLIC }), secret: false },
            signingKey: { value: "SITE-PRIVATE-KEY", secret: true },
            signingKeyPassword: { value: "SITE-KEY-PASSWORD", secret: true },
        });
        const platform = platformOf();
        expect(await promiseOf(platform.signingKey!.publicKey)).toBe(PUBLIC);
        const sign = await registered(recorded, "slipway-disk-local-node-iso-sign");
        expect(recorded.filter((r) => r.type.endsWith("slipway:CosignKeyPair"))).toEqual([]);
        // The key reaches the sign command's environment as a secret, and no dynamic provider's inputs.
        expect(JSON.stringify(sign.inputs.environment)).toContain("1b47061264138c4ac30d75fd1eb44270");
        const verify = await registered(recorded, "slipway-disk-local-node-iso-verify");
        expect(JSON.stringify(verify.inputs)).toContain("site");
        for (const r of recorded.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic")))
            expect(JSON.stringify(r.inputs)).not.toMatch(/SITE-PRIVATE-KEY|SITE-KEY-PASSWORD/);
    });

    it("hands the stack's retention settings to every RetentionPolicy; a platform's own retention overrides keep", async () => {
        const local = readStackFile("local");
        const protect = [`sha256:${"9".repeat(64)}`];
        const policies = async (diskImages: unknown) => {
            await settled();
            recorded.length = 0;
            setStackConfig({
                ...local,
                diskImages: { value: JSON.stringify(diskImages), secret: false },
                retention: { value: JSON.stringify({ keep: 5, maxDeletes: 7, dryRun: true, protect }), secret: false },
            });
            platformOf();
            await settled();
            return recorded.filter((r) => r.type === "pulumi-nodejs:dynamic/slipway:RetentionPolicy");
        };
        const node = JSON.parse(local.diskImages!.value) as Array<Record<string, unknown>>;
        const stackWide = await policies(node);
        // One per (platform, family): each index holds every arch.
        expect(stackWide.map((r) => r.name).sort()).toEqual(
            [
                "slipway-disk-local-node-kernel-initrd-retention",
                "slipway-disk-local-node-raw-retention",
                "slipway-disk-local-node-iso-retention",
                "slipway-disk-local-node-ipxe-retention",
                "slipway-disk-local-node-qcow2-retention",
                "slipway-disk-local-node-oci-retention",
            ].sort(),
        );
        for (const r of stackWide)
            expect(r.inputs, r.name).toMatchObject({ keep: 5, maxDeletes: 7, dryRun: true, protect, groupBy: ["dev.slipway.platform", "dev.slipway.family"] });
        for (const r of await policies([{ ...node[0], retention: 2 }])) expect(r.inputs, r.name).toMatchObject({ keep: 2, maxDeletes: 7, dryRun: true });
    });

    it("hands secrets on only as secret outputs", async () => {
        // gamma joins a worker over SSH: its key acts there.
        setStackConfig({ ...readStackFile("gamma"), sshPrivateKey: { value: "KEY", secret: true } });
        const config = loadConfig();
        expect(pulumi.Output.isInstance(config.secrets.sshPrivateKey)).toBe(true);
        expect(await pulumi.isSecret(config.secrets.sshPrivateKey!)).toBe(true);
    });

    it("fails once, with every problem, before any resource is declared", () => {
        setStackConfig({
            host: { value: JSON.stringify({ endpoint: "tcp://h:2375" }), secret: false },
            tlsPrivateKey: { value: "PLAINTEXT-KEY", secret: false },
        });
        let error: unknown;
        try {
            loadConfig();
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(pulumi.RunError);
        const message = (error as Error).message;
        expect(message).toContain("3 problems");
        expect(message).toContain("slipway:host.endpoint");
        expect(message).toContain("slipway:proxy.domain is required");
        expect(message).toContain("slipway:tlsPrivateKey is stored in plaintext");
        expect(message).toContain("--stack gamma");
        expect(message).not.toContain("PLAINTEXT-KEY");
        expect(recorded).toEqual([]);
    });

    it("ships the maintenance image to each worker that runs its global service, through the stack's SSH access", async () => {
        const gamma = readStackFile("gamma");
        const host = JSON.parse(gamma.host!.value) as Record<string, unknown>;
        setStackConfig({ ...gamma, host: { value: JSON.stringify({ ...host, pruneOlderThanHours: 24 }), secret: false } });
        const platform = platformOf();
        await promiseOf(platform.proxy.pingUrl);
        const shipped = await registered(recorded, "slipway-images-builder-1");
        expect(shipped.inputs).toMatchObject({ endpoint: "ssh://deploy@203.0.113.11", sshAccess: "ssh-access/gamma" });
        expect(Object.keys((shipped.inputs.byArch as Record<string, Record<string, unknown>>).arm64!)).toEqual(["maintenance"]);
        const compose = JSON.parse((await registered(recorded, "slipway-maintenance-stack")).inputs.stdin as string) as {
            services: Record<string, { image: string }>;
        };
        // Every node runs the one ID the manager's arch has: the worker got exactly that.
        expect(compose.services.prune!.image).toBe(imageOf("maintenance", "amd64").id);
    });

    it("leaves a local engine's commands as they were: no access folder, plain shells", async () => {
        setStackConfig(readStackFile("local"));
        const platform = platformOf();
        await promiseOf(platform.proxy.pingUrl);
        const stack = await registered(recorded, "slipway-proxy-stack");
        expect(stack.inputs.interpreter).toEqual(["/bin/bash", "-c"]);
        expect(recorded.map((r) => r.name)).not.toContain("slipway-host-ssh-access");
        expect((await registered(recorded, "slipway-host-manager")).inputs).not.toHaveProperty("sshAccess");
    });

    it("renders the CI's stack as before, with previews and the /preview command beside the server (snapshot)", async () => {
        const pem = (kind: string) => `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`;
        const site = { domain: "local.slipway.test", httpPort: 18080, httpsPort: 18443, certificate: pem("CERTIFICATE"), caCertificate: pem("CERTIFICATE") };
        const previews = { backendUrl: "s3://state?endpoint=s3.example.org&s3ForcePathStyle=true&region=eu-central-1", accessKeyId: "READER" };
        setStackConfig({
            ...readStackFile("local"),
            proxy: { value: JSON.stringify(site), secret: false },
            tlsPrivateKey: { value: "KEY", secret: true },
            forge: { value: JSON.stringify({ engine: "gitea" }), secret: false },
            ci: { value: JSON.stringify({ admins: ["bob"], runnerCapacity: 3, runnerLabels: ["disk-image-builder"], previews }), secret: false },
            ciPreviewSecretKey: { value: "s3-secret", secret: true },
            ciPreviewPassphrase: { value: "passphrase", secret: true },
            ciPreviewForgeToken: { value: "forge-token", secret: true },
            ciPreviewCommandToken: { value: "command-token", secret: true },
        });
        platformOf();
        const stdin = (await registered(recorded, "slipway-ci-stack")).inputs.stdin as string;
        expect((JSON.parse(stdin) as { services: Record<string, unknown> }).services.commands).toBeDefined();
        expect(stdin).toMatchSnapshot();
    });

    it("runs the platform's forge and logs the CI in with an OAuth application made there, its secret never an input", async () => {
        // A site certificate with its private CA: the CA is known at preview (a generated one is not, under mocks).
        const pem = (kind: string) => `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`;
        const site = { domain: "local.slipway.test", httpPort: 18080, httpsPort: 18443, certificate: pem("CERTIFICATE"), caCertificate: pem("CERTIFICATE") };
        setStackConfig({
            ...readStackFile("local"),
            proxy: { value: JSON.stringify(site), secret: false },
            tlsPrivateKey: { value: "KEY", secret: true },
            forge: { value: JSON.stringify({ engine: "gitea", adminUser: "alice" }), secret: false },
            ci: { value: JSON.stringify({ admins: ["bob"] }), secret: false },
        });
        const platform = platformOf();
        expect(await promiseOf(platform.forge!.stack.url)).toBe("https://git.local.slipway.test:18443");

        const forge = JSON.parse((await registered(recorded, "slipway-forge-stack")).inputs.stdin as string) as {
            services: { gitea: { image: string; entrypoint: string[]; environment: Record<string, string>; secrets: Array<{ source: string }> } };
        };
        expect(forge.services.gitea.image).toBe(imageOf("gitea", "amd64").id);
        // The admin is made (or its password reset) from the secret's file on every start, then Gitea serves.
        expect(forge.services.gitea.entrypoint.join(" ")).toMatch(
            /pw=\$\$\(cat '?\/run\/secrets\/gamma-forge-admin-password-[a-f0-9]{12}'?\)[\s\S]*--username alice[\s\S]*exec gitea web/,
        );
        const ini = await registered(recorded, "slipway-forge-config");
        expect(ini.inputs.stdin).toContain("ROOT_URL = https://git.local.slipway.test:18443/");
        expect(ini.inputs.stdin).toMatch(/JWT_SECRET_URI = file:\/run\/secrets\/gamma-forge-jwt-secret-[a-f0-9]{12}/);

        // The OAuth application: its inputs name the admin's login folder, never a credential.
        const app = await registered(recorded, "slipway-ci-oauth-app");
        expect(app.inputs).toMatchObject({ credentialsDir: "forge-auth/gamma", redirectUri: "https://ci.local.slipway.test:18443/authorize" });
        const login = await registered(recorded, "slipway-forge-login");
        expect(login.inputs.create).toBe("node bin/scripts/forgeAuth.js login forge-auth/gamma");

        // The CI logs in at the platform's forge, its admins the forge's admin and ci.admins, and trusts the site's CA.
        const ci = JSON.parse((await registered(recorded, "slipway-ci-stack")).inputs.stdin as string) as {
            services: { server: { environment: Record<string, string>; configs: Array<{ target: string }> } };
        };
        expect(ci.services.server.environment).toMatchObject({
            WOODPECKER_GITEA_URL: "https://git.local.slipway.test:18443",
            WOODPECKER_GITEA_CLIENT: "mock-client-id",
            WOODPECKER_ADMIN: "alice,bob",
            WOODPECKER_OPEN: "true",
        });
        // Its client secret reaches the CI as a swarm secret (stdin, a secret), never the compose document.
        expect((await registered(recorded, "slipway-ci-stack")).inputs.stdin).not.toContain("mock-client-secret");
        expect(ci.services.server.configs.map((c) => c.target)).toContain("/etc/ssl/certs/slipway-site-ca.pem");

        // Inside the site, its hosts are Traefik on the ports their URLs name.
        const proxy = JSON.parse((await registered(recorded, "slipway-proxy-stack")).inputs.stdin as string) as {
            services: { traefik: { networks: Record<string, { aliases?: string[] }>; ports: Array<{ target: number; published: number }> } };
        };
        expect(proxy.services.traefik.networks.proxy!.aliases).toEqual([
            "proxy.local.slipway.test",
            "registry.local.slipway.test",
            "ci.local.slipway.test",
            "git.local.slipway.test",
        ]);
        expect(proxy.services.traefik.ports.map((p) => [p.target, p.published])).toEqual([
            [18080, 18080],
            [18443, 18443],
        ]);
    });
});
