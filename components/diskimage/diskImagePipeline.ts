import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { DebPin } from "../../lib/diskimage/debs";
import type { BuildManifest, DiskImageBuildResult } from "../../lib/diskimage/manifest";
import type { RecipeCommit } from "../../lib/diskimage/recipe";
import { buildDigest, buildSpec, type BuildSpec } from "../../lib/diskimage/spec";
import type { Arch, Family } from "../../lib/diskimage/targets";
import { worker } from "../kit/workers";
import { projectDir } from "../kit/projectDir";
import { DiskImagePublication, type PublishedArtifact, type PublishTarget } from "./diskImagePublication";
import { registryLogin } from "../registry/registryLogin";

export type { DiskImageBuildResult };

export interface DiskImagePipelineArgs {
    /** The node platform's name (config `diskImages[].name`). */
    platform: string;
    architectures: Arch[];
    families: Family[];
    /** Debian kernel ABI name per architecture, e.g. 6.1.0-56-cloud-amd64. */
    kernel: Partial<Record<Arch, string>>;
    /** Debian packages unpacked into the initramfs (pinned per arch in the lock) and an agent /init runs. */
    initramfs?: { packages: string[]; agent?: string };
    /** The recipe's commit: every artifact's SOURCE_DATE_EPOCH and recorded revision. */
    recipe: RecipeCommit;
    /** toolchain.lock.json `debs`: every package version and .deb sha256 the builds may use. */
    debs: Record<string, DebPin>;
    /** Publish, sign, verify and retain the builds in a registry; unset: build and boot-test only. */
    publish?: PublishTarget & {
        /** The stack's name: the registry credentials folder in the cache is per stack. */
        stack: string;
        /** Per family, pin `current` to an earlier publication's index digest (rollback). */
        current?: Partial<Record<Family, string>>;
        /** What must be serving before anything is pushed or verified (the registry deployed in the same up). */
        dependsOn?: pulumi.Input<pulumi.Resource>[];
    };
}

/**
 * Builds a node platform's disk images: one build per (arch, family), each a content-addressed
 * command whose trigger is its build digest, so `pulumi up` builds exactly what changed and a
 * no-change `up` builds nothing. Each build runs twice and must be byte-identical, and every
 * bootable artifact boots under QEMU before the build succeeds (scripts/diskImage.ts).
 */
export class DiskImagePipeline extends pulumi.ComponentResource {
    /** The node platform's name. */
    public readonly platform: string;
    /** Every build, in (arch, family) order. */
    public readonly builds: pulumi.Output<DiskImageBuildResult[]>;
    /** Per "<family>/<arch>": the newest proven publication's artifact (empty when not publishing). */
    public readonly publications: pulumi.Output<Record<string, PublishedArtifact>>;
    /** Per family: the current publication (pinned or newest). */
    public readonly current: pulumi.Output<Record<string, { indexRef: string; pinned: boolean; signer: string }>>;

    constructor(name: string, args: DiskImagePipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:diskimage:DiskImagePipeline", name, {}, opts);
        this.platform = args.platform;
        if (args.recipe.dirty)
            void pulumi.log.warn(
                `the disk-image recipe has uncommitted changes: artifacts will record ${args.recipe.gitSha.slice(0, 12)} but come from the working tree`,
                this,
            );
        const specs = args.architectures.flatMap((arch) => args.families.map((family) => specFor(args, arch, family, this)));
        const builds = specs.map((spec) => buildCommand(`${name}-${spec.family}-${spec.arch}`, spec, projectDir(), this));
        this.builds = pulumi.all(builds);
        const published = args.publish ? publishFamilies(name, args, args.publish, builds, this) : [];
        this.publications = pulumi
            .all(published.map((p) => pulumi.all([p.family, p.publication.latest])))
            .apply((all) =>
                Object.fromEntries(all.flatMap(([family, byArch]) => Object.entries(byArch).map(([arch, artifact]) => [`${family}/${arch}`, artifact]))),
            );
        this.current = pulumi.all(published.map((p) => pulumi.all([p.family, p.publication.current]))).apply((all) => Object.fromEntries(all));
        this.registerOutputs({ builds: this.builds, publications: this.publications, current: this.current });
    }
}

type PublishArgs = NonNullable<DiskImagePipelineArgs["publish"]>;

/** Logs in once (a credentials folder the dynamic providers read), then publishes each family. */
function publishFamilies(
    name: string,
    args: DiskImagePipelineArgs,
    target: PublishArgs,
    builds: pulumi.Output<DiskImageBuildResult>[],
    parent: pulumi.Resource,
) {
    const dir = `registry-auth/${target.stack}-${name}`;
    const { credentialsDir } = registryLogin(
        `${name}-registry-login`,
        {
            registry: target.registry,
            username: target.username,
            password: target.password,
            caCertificate: target.caCertificate,
            dir,
            dependsOn: target.dependsOn ?? [],
        },
        parent,
    );
    return args.families.map((family) => {
        const familyBuilds = pulumi.all(builds).apply((all) => all.filter((b) => b.family === family));
        const current = target.current?.[family];
        const publication = new DiskImagePublication(
            `${name}-${family}`,
            { ...publishTargetOf(target), platform: args.platform, family, builds: familyBuilds, credentialsDir, ...(current ? { current } : {}) },
            { parent },
        );
        return { family, publication };
    });
}

function publishTargetOf(target: PublishArgs): PublishTarget {
    const { registry, repositoryPrefix, insecure, caCertificate, username, password, signing, keep, maxDeletes, dryRun, protect } = target;
    return {
        registry,
        username,
        password,
        signing,
        ...(repositoryPrefix ? { repositoryPrefix } : {}),
        ...(insecure !== undefined ? { insecure } : {}),
        ...(caCertificate ? { caCertificate } : {}),
        ...(keep ? { keep } : {}),
        ...(maxDeletes ? { maxDeletes } : {}),
        ...(dryRun !== undefined ? { dryRun } : {}),
        ...(protect ? { protect } : {}),
    };
}

function specFor(args: DiskImagePipelineArgs, arch: Arch, family: Family, parent: pulumi.Resource): BuildSpec {
    const kernel = args.kernel[arch];
    if (!kernel)
        throw new pulumi.ResourceError(
            `disk-image platform ${args.platform} builds ${arch} but names no ${arch} kernel: pulumi config set --path 'diskImages[…].kernel.${arch}' 6.1.0-56-cloud-${arch}`,
            parent,
        );
    try {
        return buildSpec(
            {
                platform: args.platform,
                arch,
                family,
                kernel,
                sourceDateEpoch: args.recipe.sourceDateEpoch,
                gitSha: args.recipe.gitSha,
                ...(args.initramfs ? { initramfs: args.initramfs } : {}),
            },
            args.debs,
        );
    } catch (error) {
        throw new pulumi.ResourceError((error as Error).message, parent);
    }
}

/** The build as a command: runs only when its digest (its trigger) changes. */
function buildCommand(name: string, spec: BuildSpec, projectDir: string, parent: pulumi.Resource): pulumi.Output<DiskImageBuildResult> {
    const digest = buildDigest(spec);
    const build = new command.local.Command(
        name,
        {
            create: worker("diskImage", "build", JSON.stringify(spec)),
            dir: projectDir,
            triggers: [digest],
        },
        { parent },
    );
    return build.stdout.apply((stdout) => parseResult(spec, digest, stdout));
}

/** The builder's last stdout line; in preview (nothing ran) the digest alone is known. */
export function parseResult(spec: BuildSpec, digest: string, stdout: string): DiskImageBuildResult {
    const line = stdout.trim().split("\n").pop() ?? "";
    const result = JSON.parse(line) as { dir: string; manifest: BuildManifest; boot?: { seconds: number } };
    if (result.manifest.buildDigest !== digest)
        throw new Error(`the ${spec.family}/${spec.arch} build reported digest ${result.manifest.buildDigest}, not ${digest}`);
    return {
        arch: spec.arch,
        family: spec.family,
        buildDigest: digest,
        dir: result.dir,
        manifest: result.manifest,
        ...(result.boot ? { bootSeconds: result.boot.seconds } : {}),
    };
}
