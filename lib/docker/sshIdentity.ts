// The Docker CLI reaches ssh:// engines through the system `ssh`, which reads no key or host
// list from the environment. This writes the key (0600), the known hosts and an ssh config into
// a private folder, with an `ssh` wrapper that uses exactly them (strict host key checking, no
// agent, no prompts), first on PATH: for the length of one operation (a temporary folder), or
// as a site's access folder in Slipway's cache, which a command writes from its secret
// environment and everything that reaches the manager names (never the key itself).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsPath } from "../registry/credentialsDir";

export interface SshIdentity {
    /** The private key (PEM / OpenSSH format). */
    privateKey: string;
    /** known_hosts lines for every host reached (`ssh-keyscan <host>`). */
    knownHosts: string;
}

/** The `ssh` wrapper's folder first on PATH: `docker -H ssh://…` then uses the identity written there. */
export function sshPathEnv(dir: string): NodeJS.ProcessEnv {
    return { PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}` };
}

/** Writes `identity` and its `ssh` wrapper into `dir` (created 0700). */
export function writeSshIdentity(dir: string, identity: SshIdentity): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const line = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
    // A key without its final newline is refused by ssh as "invalid format".
    writeFileSync(join(dir, "key"), line(identity.privateKey), { mode: 0o600 });
    writeFileSync(join(dir, "known_hosts"), line(identity.knownHosts), { mode: 0o600 });
    writeFileSync(
        join(dir, "config"),
        [
            "Host *",
            `  IdentityFile ${join(dir, "key")}`,
            "  IdentitiesOnly yes",
            "  IdentityAgent none",
            `  UserKnownHostsFile ${join(dir, "known_hosts")}`,
            "  StrictHostKeyChecking yes",
            "  BatchMode yes",
            "  ConnectTimeout 15",
            "",
        ].join("\n"),
        { mode: 0o600 },
    );
    writeFileSync(join(dir, "ssh"), `#!/bin/sh\nexec /usr/bin/ssh -F '${join(dir, "config")}' "$@"\n`, { mode: 0o700 });
}

/** Runs `fn` with the environment (PATH) that makes `docker -H ssh://…` use `identity`; cleans up after. */
export async function withSshIdentity<T>(identity: SshIdentity, fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), "slipway-ssh-"));
    try {
        writeSshIdentity(dir, identity);
        return await fn(sshPathEnv(dir));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * The environment that reaches an engine through the site's access folder (a path relative to
 * Slipway's cache, as resource inputs name it); none without one (the operator's own ssh setup).
 * A named folder that is missing fails closed: the key must not silently give way to another.
 */
export function sshAccessEnv(accessDir: string | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    if (!accessDir) return {};
    const dir = credentialsPath(accessDir, env);
    if (!existsSync(join(dir, "ssh")))
        throw new Error(`the SSH access folder ${dir} is missing: it is written by the stack's ssh-access command (pulumi up writes it again)`);
    return sshPathEnv(dir);
}
