// The host tools that shape an artifact's bytes, by their Debian package versions: recorded
// in every build manifest, so two builds that differ can be traced to a tool that changed.
import { run } from "./run";

export const BUILD_TOOL_PACKAGES = ["cpio", "zstd", "grub-common", "dosfstools", "mtools", "gdisk", "xorriso", "qemu-utils", "tar", "gzip"] as const;

let cached: Promise<Record<string, string>> | undefined;

export function toolVersions(): Promise<Record<string, string>> {
    cached ??= run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", ...BUILD_TOOL_PACKAGES]).then((out) =>
        Object.fromEntries(
            out
                .toString()
                .trim()
                .split("\n")
                .map((line) => line.split(" ") as [string, string]),
        ),
    );
    return cached;
}
