// A docker config folder holding one registry's credentials: what `docker login` writes,
// kept in Slipway's cache so dynamic providers can read credentials at call time (the folder's
// path is an input; the credentials never are). Written 0600 and atomically.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Credentials } from "../oci/auth";

export function writeDockerConfig(dir: string, registry: string, credentials: Credentials): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const config = { auths: { [registry]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") } } };
    const tmp = join(dir, `.config.json.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, join(dir, "config.json"));
}

/** Removes the folder; nothing to do when it is already gone. */
export function removeDockerConfig(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
}
