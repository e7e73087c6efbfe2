// The whole stack configuration as one zod schema. Every leaf carries a description and an
// example (zod `.meta`): the error reporter turns them into `pulumi config set …` commands and
// a test checks that Pulumi.yaml documents every key, so the docs cannot drift from the code.
import { z } from "zod";

/** Metadata every leaf of the schema carries. */
export type FieldDoc = {
    description: string;
    /** A value that would pass, used in the fix command of an error. */
    example: string;
    [key: string]: unknown;
};

const doc = (description: string, example: string): FieldDoc => ({ description, example });

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PINNED_REF = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[a-f0-9]{64}$/;
/** A repository path in a registry (what `registry.repositories` and a mirror's `to` name). */
const REPOSITORY_NAME = /^[a-z0-9]+([._/-][a-z0-9]+)*$/;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const LABEL_KEY = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
const GIT_SHA = /^[a-f0-9]{40}$/;
/** registry/repository:tag or registry/repository@sha256:…: a registry host and at least one path part. */
const IMAGE_REF = /^[^/\s]+\/[a-z0-9._/-]+(:\w[\w.-]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;
const IMAGE_TAG_REF = /^[^/\s]+\/[a-z0-9._/-]+:\w[\w.-]{0,127}$/;
const EXAMPLE_DIGEST = `sha256:${"0".repeat(64)}`;

const dockerEndpoint = z
    .string()
    .regex(/^(unix:\/\/\/.+|ssh:\/\/[^@\s]+@[^\s:]+(:\d+)?)$/, "must be unix:///path/to/docker.sock or ssh://user@host[:port]")
    .meta(doc("Docker Engine endpoint of the swarm manager", "ssh://deploy@203.0.113.10"));

// Label values are strings to Docker, but YAML (and `pulumi config set --path … true`) makes
// `true` and `3` booleans and numbers: accept any scalar and keep its text.
const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const labels = z
    .record(z.string().regex(LABEL_KEY, "label keys are lowercase letters, digits, '.', '_' and '-'"), labelValue)
    .meta(doc("Swarm node labels that place services (key → value)", '{"slipway.ingress":"true"}'));

const worker = z.object({
    name: z.string().regex(LABEL_KEY).meta(doc("Worker name, used in resource names", "worker-1")),
    endpoint: z
        .string()
        .regex(/^ssh:\/\/[^@\s]+@[^\s:/]+(:\d+)?$/, "must be ssh://user@host[:port]: workers are joined over SSH")
        .meta(doc("Docker Engine endpoint of the worker", "ssh://deploy@203.0.113.11")),
    labels: labels.default({}),
});

export const hostSchema = z
    .object({
        endpoint: dockerEndpoint.default("unix:///var/run/docker.sock"),
        networkName: z
            .string()
            .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a valid Docker network name")
            .meta(doc("Name of the attachable overlay network Traefik and services share", "proxy"))
            .default("proxy"),
        labels: labels.default({ "slipway.ingress": "true" }),
        workers: z.array(worker).meta(doc("Swarm workers joined over SSH with the sshPrivateKey secret; removing one drains and removes it", "[]")).default([]),
        knownHosts: z
            .string()
            .regex(/^\S+ (ssh-|ecdsa-)\S+ \S+/m, "must be known_hosts lines (ssh-keyscan <host>)")
            .optional()
            .meta(
                doc(
                    "Host keys of an ssh:// manager and of the workers (ssh-keyscan output): SSH with the sshPrivateKey secret checks these, strictly",
                    "203.0.113.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA…",
                ),
            ),
        advertiseAddress: z
            .string()
            .regex(/^[a-zA-Z0-9.:-]+$/, "must be an IP address or a host name")
            .optional()
            .meta(
                doc(
                    "The address workers reach the manager at, when Slipway initialises the swarm on a host in none (an existing swarm keeps its own); unset: what host.endpoint's host resolves to",
                    "203.0.113.10",
                ),
            ),
        dataOnDestroy: z
            .enum(["retain", "delete"])
            .meta(
                doc(
                    "What pulumi destroy does with the site's data volumes (registry blobs on a volume, the CI database): retain keeps them for the next up (a replacement never removes them either); delete removes them",
                    "retain",
                ),
            )
            .default("retain"),
        pruneOlderThanHours: z
            .number()
            .int()
            .min(0)
            .meta(
                doc(
                    "Every node prunes, hourly, the images no container uses and the unused anonymous volumes created more than this many hours ago (named volumes are data: never pruned); 0 disables",
                    "0",
                ),
            )
            .default(0),
    })
    .meta(doc("The swarm host", "{}"));

export const proxySchema = z
    .object({
        domain: z
            .string()
            .regex(DNS_NAME, "must be a lowercase DNS name")
            .meta(doc("Base domain: services are served at <name>.<domain>", "slipway.example.org")),
        certificate: z
            .string()
            .includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" })
            .optional()
            .meta(doc("Wildcard certificate for *.<domain> (PEM); unset: a local CA issues one", "-----BEGIN CERTIFICATE-----…")),
        caCertificate: z
            .string()
            .includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" })
            .optional()
            .meta(
                doc(
                    "CA of proxy.certificate when it is a private CA (PEM): exported, and trusted by Slipway's own registry clients",
                    "-----BEGIN CERTIFICATE-----…",
                ),
            ),
        httpPort: z.number().int().min(1).max(65535).meta(doc("Host port of the web entrypoint", "80")).default(80),
        httpsPort: z.number().int().min(1).max(65535).meta(doc("Host port of the web-secure entrypoint", "443")).default(443),
    })
    .meta(doc("Traefik", '{"domain":"slipway.example.org"}'));

const filesystemStorage = z.object({
    kind: z.literal("filesystem").meta(doc("Keep blobs on a Docker volume", "filesystem")),
    volume: z.string().meta(doc("Docker volume holding the blobs", "registry-data")).default("registry-data"),
});
const s3Storage = z.object({
    kind: z.literal("s3").meta(doc("Keep blobs in S3-compatible object storage", "s3")),
    endpoint: z.url().meta(doc("S3 endpoint URL", "https://s3.example.org")),
    region: z.string().min(1).meta(doc("S3 region", "us-east-1")),
    bucket: z.string().min(1).meta(doc("S3 bucket", "slipway-registry")),
    accessKeyId: z.string().min(1).meta(doc("S3 access key id (its secret is registryS3SecretKey)", "AKIAEXAMPLE")),
});

export const registrySchema = z
    .object({
        engine: z
            .enum(["distribution", "zot"])
            .meta(doc("Registry implementation: only distribution can be built here (zot is refused)", "distribution"))
            .default("distribution"),
        storage: z
            .discriminatedUnion("kind", [filesystemStorage, s3Storage])
            .meta(doc("Where blobs live", '{"kind":"filesystem"}'))
            .default({ kind: "filesystem", volume: "registry-data" }),
        gcSchedule: z
            .string()
            .regex(/^(\S+\s+){4}\S+$/, "must be a five-field cron expression")
            .optional()
            .meta(
                doc(
                    "When the registry's garbage collection runs (cron, UTC): the registry is read-only (pushes refused, pulls served) while it collects blobs no manifest references; schedule it outside deploys",
                    "0 3 * * 0",
                ),
            ),
        passwordRotation: z.number().int().min(0).meta(doc("Bump to issue the registry a new password (logins follow it)", "1")).default(0),
        repositories: z
            .array(z.string().regex(REPOSITORY_NAME, "must be a repository name, e.g. apps/web"))
            .refine((names) => new Set(names).size === names.length, "each repository is declared once")
            .meta(
                doc(
                    "Repositories that exist in the platform registry from the first up, before anything is pushed (a marker tagged slipway-repository), exported (outputs `repositories`) for CI and other stacks; removing one removes its marker only",
                    '["apps/web"]',
                ),
            )
            .default([]),
        mirrors: z
            .array(
                z.object({
                    from: z
                        .string()
                        .regex(PINNED_REF, "must be pinned by digest: <ref>@sha256:<64 hex>")
                        .meta(doc("Upstream image pinned by digest", `docker.io/library/alpine@${EXAMPLE_DIGEST}`)),
                    to: z
                        .string()
                        .regex(REPOSITORY_NAME, "must be a repository name, e.g. mirror/alpine")
                        .meta(doc("Repository in the platform registry it is copied to (under the upstream's tag, when the pin names one)", "mirror/alpine")),
                }),
            )
            .refine((mirrors) => new Set(mirrors.map((m) => m.to)).size === mirrors.length, "each mirror needs its own repository (to)")
            .meta(
                doc(
                    "Upstream images pinned by digest, copied into the platform registry at up and exported (outputs `mirrors`) with the digest to deploy",
                    "[]",
                ),
            )
            .default([]),
    })
    .meta(doc("The OCI registry", "{}"));

/** A Gitea user name: alphanumerics, dash, underscore and dot, not at either end. */
const FORGE_USER = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;
/** Names Gitea v1.26.0 refuses for users (models/user/user.go: reservedUsernames). */
const RESERVED_FORGE_USERS = new Set([
    "api",
    "metrics",
    "v2",
    "assets",
    "attachments",
    "avatar",
    "avatars",
    "repo-avatars",
    "captcha",
    "login",
    "org",
    "repo",
    "user",
    "explore",
    "issues",
    "pulls",
    "milestones",
    "notifications",
    "ssh_info",
    "ghost",
    "gitea-actions",
]);

export const ciSchema = z
    .object({
        engine: z
            .enum(["woodpecker", "drone", "gitea-runner"])
            .meta(doc("CI engine: only woodpecker can be built here (drone and gitea-runner are refused)", "woodpecker"))
            .default("woodpecker"),
        forgeUrl: z.url().optional().meta(doc("Gitea/Forgejo base URL", "https://git.example.org")),
        oauthClientId: z
            .string()
            .min(1)
            .optional()
            .meta(doc("OAuth client id registered at the forge (its secret is ciOAuthClientSecret)", "0f1e2d3c-client-id")),
        runnerCapacity: z.number().int().min(1).max(64).meta(doc("Jobs a runner takes at once", "2")).default(2),
        runnerLabels: z.array(z.string().min(1)).meta(doc("Runner labels", '["disk-image-builder"]')).default(["disk-image-builder"]),
        secretRotation: z.number().int().min(0).meta(doc("Bump to issue new agent and metrics secrets (server and agent follow)", "1")).default(0),
        admins: z
            .array(z.string().regex(FORGE_USER, "must be a forge user name"))
            .meta(doc("Forge users who are CI administrators (with forge.engine gitea, its admin user always is)", '["alice"]'))
            .default([]),
        previews: z
            .object({
                backendUrl: z
                    .string()
                    .regex(/^s3:\/\/[^/?\s]+(\?\S*)?$/, "must be an s3://<bucket>?endpoint=… Pulumi backend URL")
                    .meta(
                        doc(
                            "The S3 Pulumi backend of the stacks CI previews, as the CI's pipelines reach it",
                            "s3://pulumi-state?endpoint=s3.example.org&s3ForcePathStyle=true&region=us-east-1",
                        ),
                    ),
                accessKeyId: z
                    .string()
                    .min(1)
                    .meta(
                        doc(
                            "A read-only access key id of that backend (its secret key is ciPreviewSecretKey): previews only read the state",
                            "PREVIEWREADONLY",
                        ),
                    ),
            })
            .optional()
            .meta(
                doc(
                    "Pull-request previews run by the platform's CI (.woodpecker/preview.yaml; docs/previews.md): the preview step image is deployed, and `npm run ci:repo -- … --preview <stack>` gives a repository these settings and the ciPreview* secrets",
                    "{}",
                ),
            ),
    })
    .meta(doc("The CI server and runner", "{}"));

/** The forge's administrator when forge.adminUser is unset. */
export const DEFAULT_FORGE_ADMIN = "slipway";

export const forgeSchema = z
    .object({
        engine: z
            .enum(["none", "gitea"])
            .meta(doc("The forge the platform runs: gitea (at git.<domain>, the CI logs in with it) or none (ci.forgeUrl names an external one)", "gitea"))
            .default("none"),
        adminUser: z
            .string()
            .regex(FORGE_USER, "must be a forge user name")
            .refine((u) => !RESERVED_FORGE_USERS.has(u.toLowerCase()), "is a name Gitea reserves: choose another")
            .optional()
            .meta(doc(`The forge's administrator (default ${DEFAULT_FORGE_ADMIN}; its password is the stack output forgeAdminPassword, generated)`, "alice")),
        passwordRotation: z
            .number()
            .int()
            .min(0)
            .optional()
            .meta(doc("Bump to generate a new admin password (default 0; the forge takes it when it restarts with it)", "1")),
    })
    .meta(doc("The forge (git hosting) people log in to", "{}"));

export const imagesSchema = z
    .record(
        z.string().regex(LABEL_KEY),
        z.string().regex(PINNED_REF, "must be pinned by digest: <ref>@sha256:<64 hex> (resolve a tag once, then pin the digest)"),
    )
    .meta(
        doc(
            "Images the platform runs, by role, each pinned by digest (default: the locally assembled ones)",
            `{"traefik":"registry.local/traefik@${EXAMPLE_DIGEST}"}`,
        ),
    )
    .default({});

const arch = z.enum(["amd64", "arm64"]);
const family = z.enum(["kernel-initrd", "raw", "iso", "ipxe", "qcow2", "oci"]);

export const diskImagesSchema = z
    .array(
        z
            .object({
                name: z.string().regex(LABEL_KEY).meta(doc("Node platform name", "edge-node")),
                architectures: z.array(arch).min(1).meta(doc("Architectures to build", '["amd64","arm64"]')).default(["amd64", "arm64"]),
                families: z.array(family).min(1).meta(doc("Artifact families", '["kernel-initrd","iso"]')),
                kernel: z.partialRecord(arch, z.string().min(1)).meta(doc("Debian kernel package version per arch", '{"amd64":"6.1.0-40-cloud-amd64"}')),
                initramfs: z
                    .object({
                        packages: z
                            .array(z.string().regex(/^[a-z0-9][a-z0-9.+-]+$/, "must be a Debian package name"))
                            .meta(
                                doc(
                                    "Debian packages (static binaries, pinned per arch in toolchain.lock.json debs) unpacked into the initramfs",
                                    '["bash-static"]',
                                ),
                            )
                            .default([]),
                        agent: z
                            .string()
                            .min(1)
                            .optional()
                            .meta(
                                doc(
                                    "Command /init runs before it reports the boot (its exit status is part of the marker)",
                                    "/bin/bash-static -c 'echo ready'",
                                ),
                            ),
                    })
                    .meta(doc("What the initramfs holds beyond busybox and /init", "{}"))
                    .default({ packages: [] }),
                retention: z
                    .number()
                    .int()
                    .min(1)
                    .optional()
                    .meta(doc("Publications of this platform kept per family (one publication is one index holding every arch); unset: retention.keep", "3")),
                current: z
                    .partialRecord(family, z.string().regex(DIGEST, "must be an index digest: sha256:<64 hex>"))
                    .meta(doc("Per family, pin the current publication (rollback) to an earlier index digest", `{"iso":"${EXAMPLE_DIGEST}"}`))
                    .default({}),
            })
            .superRefine((platform, ctx) => {
                for (const a of platform.architectures) {
                    if (!platform.kernel[a])
                        ctx.addIssue({
                            code: "custom",
                            path: ["kernel", a],
                            message: `builds ${a} but names no ${a} kernel (its Debian ABI name, e.g. 6.1.0-56-cloud-${a})`,
                        });
                }
            }),
    )
    .meta(doc("Disk-image platforms", "[]"))
    .default([]);

export const promotionSchema = z
    .array(
        z.object({
            name: z.string().regex(LABEL_KEY).meta(doc("Promotion name", "web")),
            source: z
                .string()
                .regex(IMAGE_REF, "must be registry/repository:tag (or @sha256:<64 hex>)")
                .meta(doc("Staging reference", "registry.example.org/apps/web:staging")),
            target: z.string().regex(IMAGE_TAG_REF, "must be registry/repository:tag").meta(doc("Production tag", "registry.example.org/apps/web:prod")),
            expectedRevision: z
                .string()
                .regex(GIT_SHA, "must be a full 40-hex git commit SHA")
                .meta(doc("The validated commit", "0123456789abcdef0123456789abcdef01234567")),
            requireSignature: z.boolean().meta(doc("Require a cosign signature on the source first", "true")).default(true),
        }),
    )
    .meta(doc("Build-once promotions staging → prod", "[]"))
    .default([]);

export const retentionSchema = z
    .object({
        keep: z
            .number()
            .int()
            .min(1)
            .meta(doc("Disk-image publications kept per (platform, family), unless diskImages[].retention says otherwise", "3"))
            .default(3),
        maxDeletes: z
            .number()
            .int()
            .min(1)
            .meta(doc("Most manifests one retention run deletes per repository; the rest wait for the next up (reported)", "100"))
            .default(100),
        dryRun: z.boolean().meta(doc("Plan retention and report at up exactly what it would delete; delete nothing", "false")).default(false),
        protect: z
            .array(z.string().regex(DIGEST))
            .meta(doc("Digests retention never deletes", `["${EXAMPLE_DIGEST}"]`))
            .default([]),
    })
    .meta(doc("Retention of the disk-image publications in the platform registry", "{}"));

export const signingSchema = z
    .object({
        publicKey: z
            .string()
            .includes("BEGIN PUBLIC KEY", { message: "must be a PEM public key (cosign.pub)" })
            .optional()
            .meta(
                doc(
                    "Public key of the site's cosign key that signs disk images (its private key and password: the signingKey and signingKeyPassword secrets) and that promotions requiring a signature verify with (CI signs with it); unset: disk images are signed with a key the stack generates",
                    "-----BEGIN PUBLIC KEY-----…",
                ),
            ),
    })
    .meta(doc("How disk-image publications are signed", "{}"));

/** The structured (non-secret) sections, each one Pulumi config key holding an object or array. */
export const sectionsSchema = z.object({
    host: hostSchema.default(hostSchema.parse({})),
    // prefault, not default: the empty object is parsed, so a missing domain is reported as such.
    proxy: proxySchema.prefault({} as z.input<typeof proxySchema>),
    registry: registrySchema.default(registrySchema.parse({})),
    ci: ciSchema.default(ciSchema.parse({})),
    forge: forgeSchema.default(forgeSchema.parse({})),
    images: imagesSchema,
    diskImages: diskImagesSchema,
    promotion: promotionSchema,
    retention: retentionSchema.default(retentionSchema.parse({})),
    signing: signingSchema.default(signingSchema.parse({})),
});

export type SectionName = keyof typeof sectionsSchema.shape;
export const SECTION_NAMES = Object.keys(sectionsSchema.shape) as SectionName[];
