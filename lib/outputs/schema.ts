// What the platform stack exports for other stacks (StackReference), as one zod schema: the
// producer's outputs and a consumer's reading of them cannot drift apart. Bump
// OUTPUTS_VERSION when a key changes meaning or goes away; adding keys needs no bump.
import { z } from "zod";

export const OUTPUTS_VERSION = 1;

const digestRef = z.string().regex(/^[^\s@]+@sha256:[a-f0-9]{64}$/, "must be <registry>/<repository>@sha256:<64 hex>");

const stepImage = z.string().regex(/^sha256:[a-f0-9]{64}$|@sha256:/);

export const publishedArtifactSchema = z.object({
    ref: digestRef,
    indexRef: digestRef,
    gitSha: z.string().regex(/^[a-f0-9]{40}$/),
    builtAt: z.string(),
    signer: z.string(),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[a-f0-9]{64}$/),
});

export const platformOutputsSchema = z.object({
    /** The schema version the producer wrote. */
    outputsVersion: z.number().int(),
    /** Attachable overlay network services join to be routed by Traefik. */
    proxyNetwork: z.string().min(1),
    /** Labels on the swarm manager node (key → value). */
    nodeLabels: z.record(z.string(), z.string()).default({}),
    /** Workers by name: node ID and hostname. */
    workers: z.record(z.string(), z.object({ nodeId: z.string(), hostname: z.string() })).default({}),
    /** CA behind the proxy's certificate when it is not publicly trusted. */
    proxyCaCertificate: z.string().includes("BEGIN CERTIFICATE").optional(),
    proxyPingUrl: z.url(),
    /** The site's domain: services are routed at <name>.<domain> on Traefik's web-secure entrypoint. */
    proxyDomain: z.string().min(1),
    /** Labels a service of another stack carries to be routed by the platform's Traefik (it routes only its own otherwise). */
    proxyRouteLabels: z.record(z.string(), z.string()),
    /** registry.<domain>[:port]: what image references start with. */
    registryHost: z.string().min(1),
    registryUsername: z.string().min(1),
    /** Secret on the producer; a consumer's copy stays secret. */
    registryPassword: z.string().min(1),
    ciUrl: z.url(),
    /** Bearer token for the CI server's /metrics (secret). */
    ciMetricsToken: z.string().min(1),
    /** The images pipeline steps run in, by ID: the clone step's, the build step's (slipway-publish) and, with ci.previews, the preview step's. */
    ciStepImages: z.object({ clone: stepImage, build: stepImage, preview: stepImage.optional() }).optional(),
    /** With ci.previews, what preview pipelines are given (secret on the producer): `npm run ci:repo -- … --preview`. */
    ciPreview: z
        .object({
            backendUrl: z.string().startsWith("s3://"),
            accessKeyId: z.string().min(1),
            secretKey: z.string().min(1),
            passphrase: z.string(),
            forgeToken: z.string().min(1),
        })
        .optional(),
    /** The platform's forge (forge.engine gitea) and its admin; the password is secret on the producer. */
    forgeUrl: z.url().optional(),
    forgeAdminUser: z.string().min(1).optional(),
    forgeAdminPassword: z.string().min(1).optional(),
    /** Per "<platform>/<family>/<arch>": the build digest, files and boot time. */
    diskImageBuilds: z
        .record(
            z.string(),
            z.object({
                buildDigest: z.string(),
                gitSha: z.string(),
                artifacts: z.array(z.object({ name: z.string(), sha256: z.string(), size: z.number() }).loose()),
                bootSeconds: z.number().optional(),
            }),
        )
        .default({}),
    /** Per "<platform>/<family>/<arch>". */
    diskImagePublications: z.record(z.string(), publishedArtifactSchema).default({}),
    /** Per "<platform>/<family>". */
    diskImageCurrent: z.record(z.string(), z.object({ indexRef: digestRef, pinned: z.boolean(), signer: z.string() })).default({}),
    diskImageSigningKey: z.string().includes("BEGIN PUBLIC KEY").optional(),
    /** Repositories declared in config, by name: `repository` is where CI pushes, `digest` its marker's. */
    repositories: z.record(z.string(), z.object({ repository: z.string().min(1), digest: z.string().regex(/^sha256:[a-f0-9]{64}$/) })).default({}),
    /** Pinned upstream images copied into the platform registry, by local repository: deploy `ref`. */
    mirrors: z.record(z.string(), z.object({ from: z.string(), ref: digestRef, digest: z.string().regex(/^sha256:[a-f0-9]{64}$/) })).default({}),
    /** Build-once promotions by name: deploy `ref` (the target's digest). */
    promotions: z
        .record(
            z.string(),
            z.object({
                source: z.string(),
                target: z.string(),
                ref: digestRef,
                digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
                revision: z.string(),
                signer: z.string(),
            }),
        )
        .default({}),
});

export type PlatformOutputs = z.output<typeof platformOutputsSchema>;
export const PLATFORM_OUTPUT_KEYS = Object.keys(platformOutputsSchema.shape) as (keyof PlatformOutputs)[];

/**
 * The producer's outputs, validated; throws one error naming every missing or malformed key and
 * what to do: a producer older than this reader (or one not deployed yet) is updated with `up`.
 */
export function parsePlatformOutputs(producer: string, raw: Record<string, unknown>): PlatformOutputs {
    const version = raw.outputsVersion;
    if (typeof version === "number" && version > OUTPUTS_VERSION) {
        throw new Error(
            `stack ${producer} exports outputs version ${version}, newer than this reader understands (${OUTPUTS_VERSION}): update Slipway in this project`,
        );
    }
    const result = platformOutputsSchema.safeParse(raw);
    if (result.success) return result.data;
    const problems = result.error.issues.map((i) => `  - ${i.path.join(".") || "(outputs)"}: ${raw[String(i.path[0])] === undefined ? "missing" : i.message}`);
    const hint =
        version === undefined
            ? `it exports no outputsVersion: it was deployed by an older Slipway, or never: run \`pulumi up\` in ${producer}`
            : `run \`pulumi up\` in ${producer} with this Slipway version`;
    throw new Error(`stack ${producer} does not export what a Slipway platform exports (${hint}):\n${problems.join("\n")}`);
}
