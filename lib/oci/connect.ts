// The registry connection for code that runs inside a dynamic provider, read at CALL time:
// credentials from the environment or the docker config (RegistryClient), a CA from
// SLIPWAY_REGISTRY_CA (a PEM file path) or SLIPWAY_REGISTRY_CA_PEM, or a Connection input
// naming a public CA and where a docker config lies. Never a credential in inputs, never captured.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CA_FILE } from "../registry/dockerConfig";
import { slipwayCache } from "../cache";
import { credentialsFor } from "./auth";
import { RegistryClient } from "./client";
import { parseReference } from "./reference";

/** How to reach a registry, as a resource input may carry it: nothing in it is secret. */
export interface Connection {
    /** Plain HTTP (loopback only). */
    insecure?: boolean;
    /** PEM of the CA behind the registry's certificate (public), e.g. the local stack's own CA. */
    caCertificate?: string;
    /** A docker config folder, relative to Slipway's cache, whose config.json holds the credentials (and ca.pem a private CA), as `diskImage.js login` writes it. */
    credentialsDir?: string;
}

export function clientFor(registry: string, connection: boolean | Connection | undefined, env: NodeJS.ProcessEnv = process.env): RegistryClient {
    const c: Connection = typeof connection === "object" ? connection : { insecure: connection ?? false };
    const dir = c.credentialsDir ? resolve(slipwayCache(env), c.credentialsDir) : undefined;
    const dirCa = dir && existsSync(join(dir, CA_FILE)) ? readFileSync(join(dir, CA_FILE), "utf8") : undefined;
    const ca = c.caCertificate ?? dirCa ?? env.SLIPWAY_REGISTRY_CA_PEM ?? (env.SLIPWAY_REGISTRY_CA ? readFileSync(env.SLIPWAY_REGISTRY_CA, "utf8") : undefined);
    const credentials = dir ? (credentialsFor(registry, { ...env, DOCKER_CONFIG: dir }) ?? null) : undefined;
    return new RegistryClient({
        registry,
        scheme: c.insecure ? "http" : "https",
        ...(ca ? { ca } : {}),
        ...(credentials !== undefined ? { credentials } : {}),
    });
}

/** The digest `reference` names now: its own digest when pinned, else what its tag resolves to. */
export async function resolveReference(reference: string, connection?: boolean | Connection): Promise<string> {
    const ref = parseReference(reference);
    if (ref.digest) return ref.digest;
    const client = clientFor(ref.registry, connection);
    try {
        return await client.resolve(ref.repository, ref.tag!);
    } finally {
        client.close();
    }
}

/**
 * Waits (bounded) until the registry serves its API: a registry deployed in the same `up` is
 * reachable through the proxy only once the proxy has seen it (404/502/503 until then).
 */
export async function waitUntilServing(client: RegistryClient, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await client.ping();
        } catch (error) {
            const { status, message } = error as { status?: number; message: string };
            // No answer yet, or the proxy has no route yet; a refused certificate will not heal.
            const transient = (status === 0 && !/certificate|self[- ]signed/i.test(message)) || status === 404 || status === 502 || status === 503;
            if (!transient || Date.now() > deadline) throw error;
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}
