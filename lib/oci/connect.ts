// The registry connection for code that runs inside a dynamic provider, read at CALL time:
// credentials from the environment or the docker config (RegistryClient), a CA from
// SLIPWAY_REGISTRY_CA (a PEM file path). Never from resource inputs, never captured.
import { readFileSync } from "node:fs";
import { RegistryClient } from "./client";

export function clientFor(registry: string, insecure: boolean | undefined, env: NodeJS.ProcessEnv = process.env): RegistryClient {
    const ca = env.SLIPWAY_REGISTRY_CA ? readFileSync(env.SLIPWAY_REGISTRY_CA, "utf8") : undefined;
    return new RegistryClient({ registry, scheme: insecure ? "http" : "https", ...(ca ? { ca } : {}) });
}
