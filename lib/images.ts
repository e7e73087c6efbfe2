// The platform's images, as setup assembled them from the pinned binaries (scripts/images/
// assemble). A service runs its image by ID, the sha256 of the image config: the exact content,
// resolved once here, never a tag that could later name something else.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface PlatformImage {
    /** slipway/<name>:<version>, for people reading `docker images`. */
    ref: string;
    /** sha256:<hex> of the image config: what services run. */
    id: string;
}

/** Where setup records the assembled images (follows scripts/lib/common.sh). */
export function imagesRecordPath(env: NodeJS.ProcessEnv = process.env): string {
    const cache = env.SLIPWAY_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "slipway");
    return join(cache, "images.json");
}

/** The image `name` from toolchain.lock.json's `images`, by ID; throws naming the fix when setup has not assembled it. */
export function platformImage(name: string, env: NodeJS.ProcessEnv = process.env): PlatformImage {
    const path = imagesRecordPath(env);
    const record = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, PlatformImage>) : {};
    const image = record[name];
    if (!image) throw new Error(`the platform image "${name}" has not been assembled on this machine (no entry in ${path}): run scripts/setup`);
    if (!/^sha256:[a-f0-9]{64}$/.test(image.id)) throw new Error(`${path}: "${name}" has no image ID (${JSON.stringify(image.id)}): run scripts/setup again`);
    return image;
}
