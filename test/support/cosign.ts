// The real cosign CLI (pinned, built by setup) signing images in loopback registries, with a
// key pair of the test's own and no transparency log or CA: nothing leaves the machine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { must } from "./exec";
import { scratchDir } from "./tmp";

export interface CosignKeys {
    dir: string;
    key: string;
    publicKeyPem: string;
    /** The private key's password ("" when none). */
    password: string;
}

const env = (password = "") => ({ ...process.env, COSIGN_PASSWORD: password, COSIGN_YES: "true" });

export async function cosignKeys(password = ""): Promise<CosignKeys> {
    const dir = scratchDir("slipway-cosign-");
    await must("cosign", ["generate-key-pair"], { cwd: dir, env: env(password) });
    // A signing config with no services: cosign 3 refuses --tlog-upload=false with the new format.
    await must("cosign", ["signing-config", "create", "--out", join(dir, "signing-config.json")], { cwd: dir, env: env() });
    return { dir, key: join(dir, "cosign.key"), publicKeyPem: readFileSync(join(dir, "cosign.pub"), "utf8"), password };
}

/**
 * Signs `ref` (…@sha256:…) in cosign's bundle format (default) or the legacy `.sig` layout;
 * registry credentials from `dockerConfig` (a docker config folder) when given.
 */
export async function cosignSign(keys: CosignKeys, ref: string, opts: { legacy?: boolean; recursive?: boolean; dockerConfig?: string } = {}): Promise<void> {
    const format = opts.legacy
        ? ["--new-bundle-format=false", "--use-signing-config=false", "--tlog-upload=false"]
        : ["--signing-config", join(keys.dir, "signing-config.json")];
    await must(
        "cosign",
        ["sign", "--key", keys.key, ...format, ...(opts.recursive ? ["--recursive"] : []), "--allow-http-registry", "--allow-insecure-registry", "--yes", ref],
        { env: { ...env(keys.password), ...(opts.dockerConfig ? { DOCKER_CONFIG: opts.dockerConfig } : {}) }, timeoutMs: 60_000 },
    );
}
