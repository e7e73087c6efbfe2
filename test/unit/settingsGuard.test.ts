// Every setting is acted on or refused with its fix (test/support/settingsGuard.ts): each leaf
// key of the schema and each secret, changed from a baseline stack that turns everything on,
// must change the Platform's resources or their inputs (recording mocks), or be refused by
// validateConfig with a fix. A new key fails here until the table below says what it changes.
import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../config";
import { Platform } from "../../components/platform";
import { PLATFORM_ROLES } from "../../lib/images/images";
import { imagePlan } from "../../lib/images/plan";
import { retentionSchema, sectionsSchema } from "../../config/schema";
import { SECRET_KEY_NAMES } from "../../config/secrets";
import { validateConfig, type RawEntry } from "../../config/validate";
import { promiseOf, recordResources, settled, setStackConfig, type RecordedResource } from "../support/mocks";
import { keysThatDoNothing, leafKeys, rawEntries, type Change, type Guard, type Outcome, type StackConfig } from "../support/settingsGuard";
import { DISK_INPUTS } from "../support/platformFixtures";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const pem = (kind: string, body: string) => `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
const pinned = (role: string, c: string) => `registry.guard.example.org/platform/${role}@${digest(c)}`;

/** A remote site with every feature on: workers, its own certificate, S3, a forge, scheduled maintenance, disk images, a promotion, its own signing key. */
const BASELINE: StackConfig = {
    host: {
        endpoint: "ssh://deploy@203.0.113.10",
        workers: [{ name: "builder-1", endpoint: "ssh://deploy@203.0.113.11", labels: { "slipway.disk-image-builder": "true" } }],
        knownHosts: "203.0.113.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAguard",
        pruneOlderThanHours: 168,
    },
    proxy: { domain: "guard.example.org", certificate: pem("CERTIFICATE", "site"), caCertificate: pem("CERTIFICATE", "site-ca") },
    registry: {
        storage: { kind: "s3", endpoint: "https://s3.guard.example.org", region: "eu-central-1", bucket: "guard-registry", accessKeyId: "GUARDKEY" },
        gcSchedule: "0 3 * * 0",
        repositories: ["apps/web"],
        mirrors: [{ from: `docker.io/library/alpine:3.20@${digest("1")}`, to: "mirror/alpine" }],
    },
    ci: {
        forgeUrl: "https://git.guard.example.org",
        oauthClientId: "guard-client",
        previews: { backendUrl: "s3://guard-state?endpoint=s3.guard.example.org&s3ForcePathStyle=true&region=eu-central-1", accessKeyId: "GUARDREADER" },
    },
    images: Object.fromEntries(PLATFORM_ROLES.map((role) => [role, pinned(role, "a")])),
    diskImages: [
        {
            name: "edge",
            architectures: ["amd64"],
            families: ["kernel-initrd"],
            kernel: { amd64: "6.1.0-56-cloud-amd64", arm64: "6.1.0-56-cloud-arm64" },
            initramfs: { packages: ["bash-static"], agent: "/bin/bash-static -c true" },
            current: { "kernel-initrd": digest("2") },
        },
    ],
    promotion: [
        {
            name: "web",
            source: "registry.guard.example.org/apps/web:staging",
            target: "registry.guard.example.org/apps/web:prod",
            expectedRevision: "3".repeat(40),
        },
    ],
    retention: { protect: [digest("4")] },
    signing: { publicKey: pem("PUBLIC KEY", "site-key") },
    sshPrivateKey: "ssh-key",
    tlsPrivateKey: "tls-key",
    registryS3SecretKey: "s3-secret",
    ciOAuthClientSecret: "oauth-secret",
    ciPreviewSecretKey: "preview-s3-secret",
    ciPreviewPassphrase: "preview-passphrase",
    ciPreviewForgeToken: "preview-forge-token",
    signingKey: "cosign-key",
    signingKeyPassword: "cosign-password",
};

/** The platform's own forge in place of the baseline's external one. */
const PLATFORM_FORGE = { "forge.engine": "gitea", "ci.forgeUrl": undefined, "ci.oauthClientId": undefined, ciOAuthClientSecret: undefined };

/** For each leaf: a valid value other than the baseline's. Refusals count only past the schema (the value must parse). */
const TABLE: Record<string, Change> = {
    "host.endpoint": { value: "ssh://deploy@203.0.113.20" },
    "host.networkName": { value: "edge-proxy" },
    "host.labels": { value: { "slipway.ingress": "true", zone: "a" } },
    "host.workers[].name": { value: "builder-2" },
    "host.workers[].endpoint": { value: "ssh://deploy@203.0.113.12" },
    "host.workers[].labels": { value: { "slipway.disk-image-builder": "false" } },
    "host.knownHosts": { value: "203.0.113.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAother" },
    "host.advertiseAddress": { value: "203.0.113.99" },
    "host.dataOnDestroy": { value: "delete" },
    "host.pruneOlderThanHours": { value: 24 },
    "proxy.domain": { value: "other.example.org" },
    "proxy.certificate": { value: pem("CERTIFICATE", "renewed") },
    "proxy.caCertificate": { value: pem("CERTIFICATE", "other-ca") },
    "proxy.httpPort": { value: 8080 },
    "proxy.httpsPort": { value: 8443 },
    "registry.engine": { value: "zot" },
    "registry.storage.kind": { value: "filesystem" },
    // Filesystem storage has no S3 key: the baseline's would be refused as set for nothing.
    "registry.storage.volume": { value: "other-volume", context: { "registry.storage": { kind: "filesystem" }, registryS3SecretKey: undefined } },
    "registry.storage.endpoint": { value: "https://s3.other.example.org" },
    "registry.storage.region": { value: "us-east-1" },
    "registry.storage.bucket": { value: "other-bucket" },
    "registry.storage.accessKeyId": { value: "OTHERKEY" },
    "registry.gcSchedule": { value: "0 4 * * 0" },
    "registry.passwordRotation": { value: 1 },
    "registry.repositories": { value: ["apps/web", "apps/api"] },
    "registry.mirrors[].from": { value: `docker.io/library/alpine:3.21@${digest("5")}` },
    "registry.mirrors[].to": { value: "mirror/other" },
    "ci.engine": { value: "drone" },
    "ci.forgeUrl": { value: "https://forge.other.example.org" },
    "ci.oauthClientId": { value: "other-client" },
    "ci.runnerCapacity": { value: 4 },
    "ci.runnerLabels": { value: ["other"] },
    "ci.secretRotation": { value: 1 },
    "ci.admins": { value: ["alice"] },
    "ci.previews.backendUrl": { value: "s3://other-state?endpoint=s3.guard.example.org&s3ForcePathStyle=true&region=eu-central-1" },
    "ci.previews.accessKeyId": { value: "OTHERREADER" },
    // The baseline's external forge is refused beside the platform's own (a refusal with its fix).
    "forge.engine": { value: "gitea" },
    "forge.adminUser": { value: "alice", context: PLATFORM_FORGE },
    "forge.passwordRotation": { value: 1, context: PLATFORM_FORGE },
    images: { value: { ...(BASELINE.images as Record<string, string>), traefik: pinned("traefik", "b") } },
    "diskImages[].name": { value: "core" },
    "diskImages[].architectures": { value: ["amd64", "arm64"] },
    "diskImages[].families": { value: ["kernel-initrd", "iso"] },
    "diskImages[].kernel": { value: { amd64: "6.1.0-55-cloud-amd64" } },
    "diskImages[].initramfs.packages": { value: [] },
    "diskImages[].initramfs.agent": { value: "/bin/bash-static -c 'exit 0'" },
    "diskImages[].retention": { value: 5 },
    "diskImages[].current": { value: { "kernel-initrd": digest("6") } },
    "promotion[].name": { value: "api" },
    "promotion[].source": { value: "registry.guard.example.org/apps/web:candidate" },
    "promotion[].target": { value: "registry.guard.example.org/apps/web:live" },
    "promotion[].expectedRevision": { value: "7".repeat(40) },
    "promotion[].requireSignature": { value: false },
    "retention.keep": { value: 5 },
    "retention.maxDeletes": { value: 10 },
    "retention.dryRun": { value: true },
    "retention.protect": { value: [digest("4"), digest("8")] },
    "signing.publicKey": { value: pem("PUBLIC KEY", "other-key") },
    sshPrivateKey: { value: "other-ssh-key" },
    tlsPrivateKey: { value: "other-tls-key" },
    registryS3SecretKey: { value: "other-s3-secret" },
    ciOAuthClientSecret: { value: "other-oauth-secret" },
    ciPreviewSecretKey: { value: "other-preview-s3-secret" },
    ciPreviewPassphrase: { value: "other-preview-passphrase" },
    ciPreviewForgeToken: { value: "other-preview-forge-token" },
    // The comment command needs the platform's forge (the baseline's is external, where it would be refused).
    ciPreviewCommandToken: { value: "preview-command-token", context: PLATFORM_FORGE },
    signingKey: { value: "other-cosign-key" },
    signingKeyPassword: { value: "other-cosign-password" },
};

describe("every setting is acted on or refused with its fix", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources("guard");
    });

    /** The program under the recording mocks: validation, then the Platform; `plant` stands in for a program that ignores a key. */
    function program(plant?: (config: PlatformConfig) => PlatformConfig) {
        return async (entries: Record<string, RawEntry>): Promise<Outcome> => {
            const result = validateConfig({ entries, stack: "guard" });
            if (!result.ok) return { refused: result.problems };
            await settled();
            recorded.length = 0;
            setStackConfig(entries);
            const loaded = loadConfig();
            const config = plant ? plant(loaded) : loaded;
            const platform = new Platform("slipway", {
                config,
                images: imagePlan(config, (role, arch) => ({ ref: `slipway/${role}:${arch}`, id: `sha256:assembled-${role}-${arch}` })),
                diskImageInputs: DISK_INPUTS,
            });
            await settled();
            // What only a stack output carries counts too: ci:repo hands ciPreview to pipelines.
            const exported = platform.ciPreview ? [`output ciPreview ${stableJson(await promiseOf(platform.ciPreview))}`] : [];
            return { resources: [...recorded.map((r) => `${r.type} ${r.name} ${stableJson(r.inputs)}`), ...exported].sort() };
        };
    }

    const guard = (overrides: Partial<Guard> = {}): Guard => ({
        schema: sectionsSchema,
        secrets: SECRET_KEY_NAMES,
        table: TABLE,
        baseline: BASELINE,
        program: program(),
        ...overrides,
    });

    it("the baseline declares the same resources and inputs every time (else every key would seem to act)", async () => {
        const run = program();
        const entries = rawEntries(BASELINE, SECRET_KEY_NAMES);
        const first = await run(entries);
        expect("resources" in first && first.resources.length).toBeGreaterThan(50);
        expect(await run(entries)).toEqual(first);
    }, 60_000);

    it("finds every leaf of the schema, and each secret", () => {
        const keys = leafKeys(sectionsSchema, SECRET_KEY_NAMES);
        expect(keys).toEqual(
            expect.arrayContaining([
                "retention.dryRun",
                "diskImages[].retention",
                "registry.storage.volume",
                "host.workers[].labels",
                "images",
                "signingKeyPassword",
            ]),
        );
        // Containers are not leaves: their leaves are.
        expect(keys).not.toContain("registry.storage");
        expect(keys).not.toContain("diskImages[].initramfs");
    });

    it("no setting is validated and then ignored", async () => {
        expect(await keysThatDoNothing(guard())).toEqual([]);
    }, 120_000);

    it("catches a planted do-nothing key: a program that ignores retention.dryRun", async () => {
        const ignoresDryRun = program((config) => ({ ...config, retention: { ...config.retention, dryRun: false } }));
        expect(await keysThatDoNothing(guard({ program: ignoresDryRun }), ["retention.dryRun", "retention.keep"])).toEqual([
            { key: "retention.dryRun", reason: "set to true, changes no resource and no input, and is not refused" },
        ]);
    }, 60_000);

    it("catches a new key nobody reads, first for having no table entry, then for doing nothing", async () => {
        const retention = retentionSchema.extend({ verbose: z.boolean().meta({ description: "Log more", example: "true" }).default(false) });
        const planted = sectionsSchema.extend({ retention: retention.default(retention.parse({})) });
        const keys = leafKeys(planted, SECRET_KEY_NAMES).filter((k) => k.startsWith("retention."));
        expect(await keysThatDoNothing(guard({ schema: planted }), keys)).toEqual([
            { key: "retention.verbose", reason: expect.stringContaining("has no entry in the table") as unknown },
        ]);
        const table = { ...TABLE, "retention.verbose": { value: true } };
        expect(await keysThatDoNothing(guard({ schema: planted, table }), keys)).toEqual([
            { key: "retention.verbose", reason: "set to true, changes no resource and no input, and is not refused" },
        ]);
    }, 60_000);

    it("does not count a value the schema itself refuses as proof", async () => {
        const table = { ...TABLE, "proxy.httpPort": { value: 0 } };
        expect(await keysThatDoNothing(guard({ table }), ["proxy.httpPort"])).toEqual([
            { key: "proxy.httpPort", reason: expect.stringContaining("is not a valid config") as unknown },
        ]);
    });
});

/** JSON with object keys sorted: equal inputs, equal text. */
function stableJson(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
            : v,
    );
}
