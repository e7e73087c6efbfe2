import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { DebPin } from "../lib/diskimage/debs";
import type { BuildManifest } from "../lib/diskimage/manifest";
import type { RecipeCommit } from "../lib/diskimage/recipe";
import { buildDigest, buildSpec, type BuildSpec } from "../lib/diskimage/spec";
import type { Arch, Family } from "../lib/diskimage/targets";
import { shellJoin } from "../lib/shell";

export interface DiskImagePipelineArgs {
    /** The node platform's name (config `diskImages[].name`). */
    platform: string;
    architectures: Arch[];
    families: Family[];
    /** Debian kernel ABI name per architecture, e.g. 6.1.0-56-cloud-amd64. */
    kernel: Partial<Record<Arch, string>>;
    /** The recipe's commit: every artifact's SOURCE_DATE_EPOCH and recorded revision. */
    recipe: RecipeCommit;
    /** toolchain.lock.json `debs`: every package version and .deb sha256 the builds may use. */
    debs: Record<string, DebPin>;
}

/** One finished build: what `pulumi up` printed as the builder's result line. */
export interface DiskImageBuildResult {
    arch: Arch;
    family: Family;
    /** The content address of the inputs; equal digests, equal bytes. */
    buildDigest: string;
    /** Folder in the build cache holding the files and build-manifest.json. */
    dir: string;
    manifest: BuildManifest;
    /** Seconds to the boot marker under QEMU; absent for families with no boot test here. */
    bootSeconds?: number;
}

/**
 * Builds a node platform's disk images: one build per (arch, family), each a content-addressed
 * command whose trigger is its build digest, so `pulumi up` builds exactly what changed and a
 * no-change `up` builds nothing. Each build runs twice and must be byte-identical, and every
 * bootable artifact boots under QEMU before the build succeeds (scripts/diskImage.ts).
 */
export class DiskImagePipeline extends pulumi.ComponentResource {
    /** Every build, in (arch, family) order. */
    public readonly builds: pulumi.Output<DiskImageBuildResult[]>;

    constructor(name: string, args: DiskImagePipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:diskimage:DiskImagePipeline", name, {}, opts);
        if (args.recipe.dirty) void pulumi.log.warn(`the disk-image recipe has uncommitted changes: artifacts will record ${args.recipe.gitSha.slice(0, 12)} but come from the working tree`, this);
        const specs = args.architectures.flatMap((arch) => args.families.map((family) => specFor(args, arch, family, this)));
        const builds = specs.map((spec) => buildCommand(`${name}-${spec.family}-${spec.arch}`, spec, projectDir(), this));
        this.builds = pulumi.all(builds);
        this.registerOutputs({ builds: this.builds });
    }
}

function specFor(args: DiskImagePipelineArgs, arch: Arch, family: Family, parent: pulumi.Resource): BuildSpec {
    const kernel = args.kernel[arch];
    if (!kernel) throw new pulumi.ResourceError(`disk-image platform ${args.platform} builds ${arch} but names no ${arch} kernel: pulumi config set --path 'diskImages[…].kernel.${arch}' 6.1.0-56-cloud-${arch}`, parent);
    try {
        return buildSpec({ platform: args.platform, arch, family, kernel, sourceDateEpoch: args.recipe.sourceDateEpoch, gitSha: args.recipe.gitSha }, args.debs);
    } catch (error) {
        throw new pulumi.ResourceError((error as Error).message, parent);
    }
}

/**
 * Slipway's root relative to where Pulumi runs commands (the program's folder): the command
 * then reads the same on every machine and checkout path, so moving a checkout rebuilds nothing.
 */
function projectDir(): string {
    let dir = __dirname;
    while (!existsSync(join(dir, "toolchain.lock.json"))) {
        const up = dirname(dir);
        if (up === dir) throw new Error(`no toolchain.lock.json above ${__dirname}: the disk-image builder runs from a Slipway checkout`);
        dir = up;
    }
    return relative(process.cwd(), dir) || ".";
}

/** The build as a command: runs only when its digest (its trigger) changes. */
function buildCommand(name: string, spec: BuildSpec, projectDir: string, parent: pulumi.Resource): pulumi.Output<DiskImageBuildResult> {
    const digest = buildDigest(spec);
    const build = new command.local.Command(
        name,
        {
            create: shellJoin(["node", "bin/scripts/diskImage.js", "build", JSON.stringify(spec)]),
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
    if (result.manifest.buildDigest !== digest) throw new Error(`the ${spec.family}/${spec.arch} build reported digest ${result.manifest.buildDigest}, not ${digest}`);
    return { arch: spec.arch, family: spec.family, buildDigest: digest, dir: result.dir, manifest: result.manifest, ...(result.boot ? { bootSeconds: result.boot.seconds } : {}) };
}
