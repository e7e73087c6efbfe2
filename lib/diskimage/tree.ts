// Two things every reproducible archive needs from a folder tree: one order and one time.
import { lstatSync, lutimesSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Every path under `root`, relative, parents before children, in byte order (C locale). */
export function listTree(root: string, prefix = ""): string[] {
    const names = readdirSync(join(root, prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return names.flatMap((name) => {
        const path = prefix ? `${prefix}/${name}` : name;
        return lstatSync(join(root, path)).isDirectory() ? [path, ...listTree(root, path)] : [path];
    });
}

/** Sets every mtime and atime under `root` (and its own) to `epoch` seconds. */
export function clampTimes(root: string, epoch: number) {
    for (const path of listTree(root)) lutimesSync(join(root, path), epoch, epoch);
    lutimesSync(root, epoch, epoch);
}
