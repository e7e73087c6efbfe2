// Signs a publication with the real cosign, key from the environment (env://), registry
// credentials and CA from the environment, no transparency log (nothing leaves the site):
// cosign reads credentials only from a docker config and trust only from files, so both are
// written to a private scratch folder that is removed afterwards.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsFor } from "../oci/auth";
import { parseReference } from "../oci/reference";
import { writeDockerConfig } from "../registry/dockerConfig";
import { run } from "./run";

/** Env: COSIGN_PRIVATE_KEY and COSIGN_PASSWORD; SLIPWAY_REGISTRY_USERNAME/PASSWORD; SLIPWAY_REGISTRY_CA_PEM when the registry's CA is private. */
export async function cosignSign(reference: string, insecure: boolean, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    if (!parseReference(reference).digest) throw new Error(`${reference}: sign by digest (registry/repo@sha256:…), never a tag`);
    if (!env.COSIGN_PRIVATE_KEY) throw new Error("no COSIGN_PRIVATE_KEY in the environment: the signing key (cosign's encrypted PEM) must be there");
    const scratch = mkdtempSync(join(tmpdir(), "slipway-sign-"));
    try {
        const registry = parseReference(reference).registry;
        const credentials = credentialsFor(registry, env);
        if (credentials) writeDockerConfig(join(scratch, "docker"), registry, credentials);
        const cosignEnv: NodeJS.ProcessEnv = { ...env, DOCKER_CONFIG: join(scratch, "docker"), COSIGN_YES: "true" };
        if (env.SLIPWAY_REGISTRY_CA_PEM) {
            writeFileSync(join(scratch, "ca.pem"), readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + "\n" + env.SLIPWAY_REGISTRY_CA_PEM);
            cosignEnv.SSL_CERT_FILE = join(scratch, "ca.pem");
        }
        // A signing config with no services: a bundle signature, no Rekor or Fulcio call.
        await run(["cosign", "signing-config", "create", "--out", join(scratch, "signing-config.json")], { env: cosignEnv });
        const insecureFlags = insecure ? ["--allow-http-registry", "--allow-insecure-registry"] : [];
        await run(["cosign", "sign", "--key", "env://COSIGN_PRIVATE_KEY", "--signing-config", join(scratch, "signing-config.json"), "--recursive", ...insecureFlags, "--yes", reference], { env: cosignEnv, timeoutMs: 300_000 });
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}
