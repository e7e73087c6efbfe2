// What the Platform is built from in unit tests besides its config: disk-image inputs and
// assembled images that need no git checkout and no setup cache.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DebPin } from "../../lib/diskimage/debs";
import { ROOT } from "./prerequisites";

/** A fixed recipe commit and the lock's Debian pins. */
export const DISK_INPUTS = {
    recipe: { gitSha: "a".repeat(40), sourceDateEpoch: 1_700_000_000, dirty: false },
    debs: (JSON.parse(readFileSync(join(ROOT, "toolchain.lock.json"), "utf8")) as { debs: Record<string, DebPin> }).debs,
};

/** The images setup would have assembled, per role and arch: distinct IDs, no cache needed. */
export const imageOf = (role: string, arch: string) => ({
    ref: `slipway/${role}:test-${arch}`,
    id: `sha256:${createHash("sha256").update(`${role}/${arch}`).digest("hex")}`,
});
