// The forge administrator's login as a folder in Slipway's cache, like the registry's
// (lib/registry/dockerConfig): a command writes it from its environment, and the dynamic
// providers that call the forge's API read it at call time. Their inputs name the folder;
// the password is never one of them. Written 0600 and atomically.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { credentialsPath } from "../registry/credentialsDir";

export interface ForgeCredentials {
    /** The forge's base URL, e.g. https://git.example.org. */
    url: string;
    username: string;
    password: string;
    /** PEM of a private CA behind the forge's certificate. */
    ca?: string;
}

const FILE = "forge.json";

export function writeForgeCredentials(dir: string, credentials: ForgeCredentials): void {
    const path = credentialsPath(dir);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const tmp = join(path, `.${FILE}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(credentials) + "\n", { mode: 0o600 });
    renameSync(tmp, join(path, FILE));
}

export function readForgeCredentials(dir: string): ForgeCredentials {
    const path = join(credentialsPath(dir), FILE);
    let parsed: Partial<ForgeCredentials>;
    try {
        parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<ForgeCredentials>;
    } catch (error) {
        throw new Error(
            `the forge login at ${path} cannot be read (${(error as Error).message}): \`pulumi up\` writes it again (its login command), or run it on the machine that brought the site up`,
        );
    }
    if (typeof parsed.url !== "string" || typeof parsed.username !== "string" || typeof parsed.password !== "string")
        throw new Error(`the forge login at ${path} lacks url, username or password: \`pulumi up\` writes it again`);
    return { url: parsed.url, username: parsed.username, password: parsed.password, ...(parsed.ca ? { ca: parsed.ca } : {}) };
}

export function removeForgeCredentials(dir: string): void {
    rmSync(credentialsPath(dir), { recursive: true, force: true });
}
