// Issues the local stack's CA and wildcard certificate by running the rendered openssl script.
// Its output carries a private key, so it is captured here, never streamed to a log.
import { execFile } from "node:child_process";
import { renderLocalCertificateScript, type LocalCertificateOptions } from "./localCertificateScript";

export interface IssuedCertificate {
    ca: string;
    certificate: string;
    key: string;
}

export function issueLocalCertificate(options: LocalCertificateOptions): Promise<IssuedCertificate> {
    return new Promise((resolve, reject) => {
        execFile("bash", ["-c", renderLocalCertificateScript(options)], { timeout: 60_000 }, (error, stdout, stderr) => {
            if (error)
                return reject(
                    new Error(
                        `issuing the local certificate for ${options.domain} failed: ${stderr.trim() || error.message} (needs openssl and jq: scripts/setup installs them)`,
                    ),
                );
            const issued = JSON.parse(stdout) as Partial<IssuedCertificate>;
            if (!issued.ca?.includes("BEGIN CERTIFICATE") || !issued.certificate?.includes("BEGIN CERTIFICATE") || !issued.key?.includes("PRIVATE KEY")) {
                return reject(new Error(`issuing the local certificate for ${options.domain} printed no certificate and key`));
            }
            resolve(issued as IssuedCertificate);
        });
    });
}
