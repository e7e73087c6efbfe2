// A docker config folder holding one registry's credentials: what `docker login` writes,
// kept in Slipway's cache so dynamic providers can read credentials at call time (the folder's
// path is an input; the credentials never are), with the registry's CA when it is private.
// Written 0600 and atomically. Commands that push and sign read it too, so a password or CA
// rotation rewrites this folder and re-publishes nothing.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Credentials } from "../oci/auth";

/** The CA file a credentials folder may hold next to config.json: the registry's private CA (public). */
export const CA_FILE = "ca.pem";

export function writeDockerConfig(dir: string, registry: string, credentials: Credentials, ca?: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (ca) writeFileSync(join(dir, CA_FILE), ca);
    else rmSync(join(dir, CA_FILE), { force: true });
    const config = { auths: { [registry]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") } } };
    const tmp = join(dir, `.config.json.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, join(dir, "config.json"));
}

/** Removes the folder; nothing to do when it is already gone. */
export function removeDockerConfig(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
}
