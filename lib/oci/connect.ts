// The registry connection for code that runs inside a dynamic provider, read at CALL time:
// credentials from the environment or the docker config (RegistryClient), a CA from
// SLIPWAY_REGISTRY_CA (a PEM file path). Never from resource inputs, never captured.
import { readFileSync } from "node:fs";
import { RegistryClient } from "./client";
import { parseReference } from "./reference";

export function clientFor(registry: string, insecure: boolean | undefined, env: NodeJS.ProcessEnv = process.env): RegistryClient {
    const ca = env.SLIPWAY_REGISTRY_CA ? readFileSync(env.SLIPWAY_REGISTRY_CA, "utf8") : undefined;
    return new RegistryClient({ registry, scheme: insecure ? "http" : "https", ...(ca ? { ca } : {}) });
}

/** The digest `reference` names now: its own digest when pinned, else what its tag resolves to. */
export async function resolveReference(reference: string, insecure?: boolean): Promise<string> {
    const ref = parseReference(reference);
    if (ref.digest) return ref.digest;
    const client = clientFor(ref.registry, insecure);
    try {
        return await client.resolve(ref.repository, ref.tag!);
    } finally {
        client.close();
    }
}
