// Credentials for the platform registry, made where they are used: a random password and its
// bcrypt htpasswd line, in one step, so the password is never an input of anything and never
// on a command line (htpasswd reads it from stdin).
import { execFile } from "node:child_process";
import { randomPassword } from "../random";

export interface RegistryCredentials {
    username: string;
    password: string;
    /** `<username>:<bcrypt hash>` for distribution's htpasswd auth. */
    htpasswd: string;
    /** distribution's http.secret: signs upload state, must be the same on every replica. */
    httpSecret: string;
}

export function issueRegistryCredentials(username: string): Promise<RegistryCredentials> {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(username)) return Promise.reject(new Error(`registry username "${username}" must be lowercase letters, digits, '_' or '-'`));
    const password = randomPassword();
    return new Promise((resolve, reject) => {
        const child = execFile("htpasswd", ["-niB", "-C", "10", username], { timeout: 30_000 }, (error, stdout, stderr) => {
            if (error) return reject(new Error(`htpasswd failed: ${stderr.trim() || error.message} (apache2-utils: scripts/setup installs it)`));
            const line = stdout.trim();
            if (!line.startsWith(`${username}:$2`)) return reject(new Error("htpasswd printed no bcrypt entry"));
            resolve({ username, password, htpasswd: line, httpSecret: randomPassword() });
        });
        child.stdin?.end(`${password}\n`);
    });
}
