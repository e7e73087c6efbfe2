// Where Slipway keeps what it builds and fetches outside the repo (follows scripts/lib/common.sh).
import { homedir } from "node:os";
import { join } from "node:path";

export function slipwayCache(env: NodeJS.ProcessEnv = process.env): string {
    return env.SLIPWAY_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "slipway");
}
