// The Pulumi side of configuration: reads what the runtime holds for the `slipway` namespace,
// validates it all at once (config/validate), and hands secrets on only as Pulumi secret outputs.
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE, formatProblems, validateConfig, type RawEntry, type Sections } from "./validate";
import type { SecretKeyName } from "./secrets";

export type { Sections } from "./validate";

/** The validated stack configuration; secret values exist only as secret outputs. */
export type PlatformConfig = Sections & {
    stack: string;
    secrets: Partial<Record<SecretKeyName, pulumi.Output<string>>>;
};

// The runtime knows which keys were set with --secret (the CLI passes their names to the
// program), but marks the function @internal, so its declaration is missing. Fail closed if a
// later SDK drops it: without it a plaintext secret could pass unnoticed.
function secretKeyTest(): (key: string) => boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new pulumi.RunError(
            "This @pulumi/pulumi has no runtime isConfigSecret(); Slipway cannot tell secrets from plaintext. Pin the version in package.json.",
        );
    }
    return runtimeConfig.isConfigSecret;
}

/** Reads and validates the whole stack config; throws one RunError listing every problem. */
export function loadConfig(): PlatformConfig {
    const stack = pulumi.getStack();
    const entries: Record<string, RawEntry> = {};
    const isSecret = secretKeyTest();
    const prefix = `${NAMESPACE}:`;
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) entries[key.slice(prefix.length)] = { value, secret: isSecret(key) };
    }
    const result = validateConfig({ entries, stack });
    if (!result.ok) throw new pulumi.RunError(formatProblems(result.problems));
    const { secrets, ...sections } = result.config;
    const wrapped: PlatformConfig["secrets"] = {};
    for (const [name, value] of Object.entries(secrets) as Array<[SecretKeyName, string]>) wrapped[name] = pulumi.secret(value);
    return { ...sections, stack, secrets: wrapped };
}
