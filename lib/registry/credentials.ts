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

/**
 * bcrypt's cost for the registry's htpasswd entry. distribution checks the hash on every
 * authenticated request (it keeps no session), so each request costs the registry 2^cost bcrypt
 * rounds: at cost 10 about 60 ms of CPU here, which made a no-op `up` wait 0.6 s per retention
 * scan and taxes every pull and push. A work factor slows offline guessing of a guessable
 * password; this one is 256 random bits, which no work factor makes any easier or harder to guess.
 */
export const HTPASSWD_BCRYPT_COST = 4;

export function issueRegistryCredentials(username: string, cost = HTPASSWD_BCRYPT_COST): Promise<RegistryCredentials> {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(username))
        return Promise.reject(new Error(`registry username "${username}" must be lowercase letters, digits, '_' or '-'`));
    const password = randomPassword();
    return htpasswdLine(username, password, cost).then((htpasswd) => ({ username, password, htpasswd, httpSecret: randomPassword() }));
}

/** `<username>:<bcrypt of password>` at `cost`, by `htpasswd` reading the password on stdin. */
export function htpasswdLine(username: string, password: string, cost = HTPASSWD_BCRYPT_COST): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile("htpasswd", ["-niB", "-C", String(cost), username], { timeout: 30_000 }, (error, stdout, stderr) => {
            if (error) return reject(new Error(`htpasswd failed: ${stderr.trim() || error.message} (apache2-utils: scripts/setup installs it)`));
            const line = stdout.trim();
            if (!line.startsWith(`${username}:$2`)) return reject(new Error("htpasswd printed no bcrypt entry"));
            resolve(line);
        });
        child.stdin?.end(`${password}\n`);
    });
}
