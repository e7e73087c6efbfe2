// Registry credentials come from the environment or a docker config file at call time, never
// from resource inputs. Handles the distribution auth dance: Basic, or a Bearer token fetched
// from the realm the registry's WWW-Authenticate challenge names (cached per scope).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
    username: string;
    password: string;
}

/**
 * Credentials for `registry`: SLIPWAY_REGISTRY_USERNAME/PASSWORD when both are set, else the
 * docker config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json), else none.
 */
export function credentialsFor(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
    if (env.SLIPWAY_REGISTRY_USERNAME && env.SLIPWAY_REGISTRY_PASSWORD) {
        return { username: env.SLIPWAY_REGISTRY_USERNAME, password: env.SLIPWAY_REGISTRY_PASSWORD };
    }
    const file = join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
    let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    try {
        config = JSON.parse(readFileSync(file, "utf8")) as typeof config;
    } catch {
        return undefined;
    }
    const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`] ?? config.auths?.[`http://${registry}`];
    if (!entry) return undefined;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    if (!entry.auth) return undefined;
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

export function basicHeader(c: Credentials): string {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

export interface Challenge {
    scheme: string;
    params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
    if (!header) return undefined;
    const space = header.indexOf(" ");
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const params: Record<string, string> = {};
    for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
    return { scheme, params };
}
