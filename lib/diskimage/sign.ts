// Signs a publication with the real cosign: key from the environment (env://), registry
// credentials from the credentials folder login wrote (cosign reads a docker config), trust
// from its CA file added to the system's, no transparency log (nothing leaves the site).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseReference } from "../oci/reference";
import { CA_FILE } from "../registry/dockerConfig";
import { run } from "./run";

/** Env: COSIGN_PRIVATE_KEY and COSIGN_PASSWORD. `credentialsDir` (absolute): the registry's docker config and private CA, as login wrote them. */
export async function cosignSign(reference: string, credentialsDir: string, insecure: boolean, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    if (!parseReference(reference).digest) throw new Error(`${reference}: sign by digest (registry/repo@sha256:…), never a tag`);
    if (!env.COSIGN_PRIVATE_KEY) throw new Error("no COSIGN_PRIVATE_KEY in the environment: the signing key (cosign's encrypted PEM) must be there");
    const scratch = mkdtempSync(join(tmpdir(), "slipway-sign-"));
    try {
        const cosignEnv: NodeJS.ProcessEnv = { ...env, DOCKER_CONFIG: credentialsDir, COSIGN_YES: "true" };
        if (existsSync(join(credentialsDir, CA_FILE))) {
            writeFileSync(
                join(scratch, "ca.pem"),
                readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") + "\n" + readFileSync(join(credentialsDir, CA_FILE), "utf8"),
            );
            cosignEnv.SSL_CERT_FILE = join(scratch, "ca.pem");
        }
        // A signing config with no services: a bundle signature, no Rekor or Fulcio call.
        await run(["cosign", "signing-config", "create", "--out", join(scratch, "signing-config.json")], { env: cosignEnv });
        const insecureFlags = insecure ? ["--allow-http-registry", "--allow-insecure-registry"] : [];
        await run(
            [
                "cosign",
                "sign",
                "--key",
                "env://COSIGN_PRIVATE_KEY",
                "--signing-config",
                join(scratch, "signing-config.json"),
                "--recursive",
                ...insecureFlags,
                "--yes",
                reference,
            ],
            { env: cosignEnv, timeoutMs: 300_000 },
        );
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}
