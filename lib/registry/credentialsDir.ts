// Credentials folders live in Slipway's cache, named by a path relative to it: that name is
// what resource inputs carry (never a credential), and the same on every run of one machine.
import { isAbsolute, join } from "node:path";
import { slipwayCache } from "../cache";

/** The folder's absolute path; refuses a name that would leave the cache. */
export function credentialsPath(dir: string, env: NodeJS.ProcessEnv = process.env): string {
    if (isAbsolute(dir) || dir.split("/").includes("..") || !dir.trim()) throw new Error(`"${dir}": a credentials folder is a path inside Slipway's cache`);
    return join(slipwayCache(env), dir);
}
