// How the stack's disk-image outputs are keyed: one flat record per output, so a consumer reads
// `diskImagePublications["<platform>/<family>/<arch>"]` without walking the platform's shape.
// Pure: the program resolves the pipelines' outputs and hands them here.
import type { DiskImageBuildResult } from "../diskimage/manifest";

/** A build as exported: its digest, commit, files and boot time. */
export interface ExportedBuild {
    buildDigest: string;
    gitSha: string;
    artifacts: DiskImageBuildResult["manifest"]["artifacts"];
    bootSeconds?: number;
}

/** Every pipeline's builds, by "<platform>/<family>/<arch>". */
export function buildsByKey(pipelines: readonly (readonly DiskImageBuildResult[])[]): Record<string, ExportedBuild> {
    return Object.fromEntries(
        pipelines.flat().map((b) => [
            `${b.manifest.platform}/${b.family}/${b.arch}`,
            {
                buildDigest: b.buildDigest,
                gitSha: b.manifest.gitSha,
                artifacts: b.manifest.artifacts,
                ...(b.bootSeconds !== undefined ? { bootSeconds: b.bootSeconds } : {}),
            },
        ]),
    );
}

/** Per-platform records (`[platform, {key → value}]`) as one, keyed "<platform>/<key>". */
export function byPlatformKey<T>(platforms: readonly (readonly [string, Readonly<Record<string, T>>])[]): Record<string, T> {
    return Object.fromEntries(platforms.flatMap(([name, byKey]) => Object.entries(byKey).map(([key, value]) => [`${name}/${key}`, value])));
}
