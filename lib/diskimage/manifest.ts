// build-manifest.json: what went into an artifact (every input by digest, the recipe commit,
// the tools) and what came out. Pure; snapshot-tested.
import type { BuildSpec } from "./spec";
import { specInputs } from "./spec";
import type { Arch, Family } from "./targets";

export interface ArtifactFile {
    name: string;
    mediaType: string;
    size: number;
    sha256: string;
}

export interface BuildManifest {
    schemaVersion: 1;
    platform: string;
    arch: Arch;
    family: Family;
    kernel: string;
    /** The build digest: the content address of everything below except `artifacts`. */
    buildDigest: string;
    gitSha: string;
    sourceDateEpoch: number;
    builtAt: string;
    inputs: { package: string; arch: Arch; version: string; sha256: string }[];
    tools: Record<string, string>;
    artifacts: ArtifactFile[];
}

export function renderBuildManifest(spec: BuildSpec, buildDigest: string, tools: Record<string, string>, artifacts: ArtifactFile[]): BuildManifest {
    return {
        schemaVersion: 1,
        platform: spec.platform,
        arch: spec.arch,
        family: spec.family,
        kernel: spec.kernel,
        buildDigest,
        gitSha: spec.gitSha,
        sourceDateEpoch: spec.sourceDateEpoch,
        // The build time IS the source date: a manifest that differed per run would break reproducibility.
        builtAt: new Date(spec.sourceDateEpoch * 1000).toISOString(),
        inputs: specInputs(spec).map(({ package: pkg, arch, version, sha256 }) => ({ package: pkg, arch, version, sha256 })),
        tools: Object.fromEntries(Object.entries(tools).sort(([a], [b]) => (a < b ? -1 : 1))),
        artifacts,
    };
}

/** One finished build: what `pulumi up` printed as the builder's result line (the DiskImagePipeline's `builds`). */
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
