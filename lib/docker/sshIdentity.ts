// The Docker CLI reaches ssh:// engines through the system `ssh`, which reads no key or host
// list from the environment. For the length of one operation this writes the key (0600), the
// known hosts and an ssh config into a private temporary folder, with an `ssh` wrapper that
// uses exactly them (strict host key checking, no agent, no prompts), first on PATH.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SshIdentity {
    /** The private key (PEM / OpenSSH format). */
    privateKey: string;
    /** known_hosts lines for every host reached (`ssh-keyscan <host>`). */
    knownHosts: string;
}

/** Runs `fn` with the environment (PATH) that makes `docker -H ssh://…` use `identity`; cleans up after. */
export async function withSshIdentity<T>(identity: SshIdentity, fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), "slipway-ssh-"));
    try {
        // A key without its final newline is refused by ssh as "invalid format".
        writeFileSync(join(dir, "key"), identity.privateKey.endsWith("\n") ? identity.privateKey : `${identity.privateKey}\n`, { mode: 0o600 });
        writeFileSync(join(dir, "known_hosts"), identity.knownHosts.endsWith("\n") ? identity.knownHosts : `${identity.knownHosts}\n`, { mode: 0o600 });
        writeFileSync(
            join(dir, "config"),
            ["Host *", `  IdentityFile ${join(dir, "key")}`, "  IdentitiesOnly yes", "  IdentityAgent none", `  UserKnownHostsFile ${join(dir, "known_hosts")}`, "  StrictHostKeyChecking yes", "  BatchMode yes", "  ConnectTimeout 15", ""].join("\n"),
            { mode: 0o600 },
        );
        writeFileSync(join(dir, "ssh"), `#!/bin/sh\nexec /usr/bin/ssh -F '${join(dir, "config")}' "$@"\n`, { mode: 0o700 });
        return await fn({ PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}` });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
