// A cosign key pair made by the real cosign (its encrypted private-key format is what `cosign
// sign --key` reads), protected by a random password. For sites that let Slipway hold the
// signing key in state as a secret, like the local stack's CA.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomPassword } from "../random";

export interface CosignKeyPair {
    /** cosign's encrypted private key (PEM). */
    privateKey: string;
    password: string;
    publicKey: string;
}

export async function generateCosignKeyPair(): Promise<CosignKeyPair> {
    const dir = mkdtempSync(join(tmpdir(), "slipway-cosign-key-"));
    const password = randomPassword();
    try {
        await new Promise<void>((resolve, reject) =>
            execFile(
                "cosign",
                ["generate-key-pair"],
                { cwd: dir, env: { ...process.env, COSIGN_PASSWORD: password }, timeout: 60_000 },
                (error, _stdout, stderr) =>
                    error
                        ? reject(
                              new Error(
                                  `cosign generate-key-pair failed: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "cosign is not on PATH (scripts/setup builds it; . scripts/env)" : stderr.trim() || error.message}`,
                              ),
                          )
                        : resolve(),
            ),
        );
        return { privateKey: readFileSync(join(dir, "cosign.key"), "utf8"), password, publicKey: readFileSync(join(dir, "cosign.pub"), "utf8") };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
