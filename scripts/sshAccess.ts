// node bin/scripts/sshAccess.js write <access dir> | remove <access dir>
// write makes the site's SSH access folder in Slipway's cache (lib/docker/sshIdentity) from its
// environment: SLIPWAY_SSH_KEY and SLIPWAY_KNOWN_HOSTS, a command's secret environment, never
// arguments. remove deletes it. What reaches the manager over SSH names the folder.
import { rmSync } from "node:fs";
import { credentialsPath } from "../lib/registry/credentialsDir";
import { writeSshIdentity } from "../lib/docker/sshIdentity";

/** Its command line after `node bin/scripts/sshAccess.js` (components call it through components/kit/workers). */
export type Args = ["write" | "remove", accessDir: string];

function main([command, dir]: string[]) {
    if (command === "write" && dir) {
        const privateKey = process.env.SLIPWAY_SSH_KEY;
        const knownHosts = process.env.SLIPWAY_KNOWN_HOSTS;
        if (!privateKey || !knownHosts)
            throw new Error("write needs SLIPWAY_SSH_KEY (the sshPrivateKey secret) and SLIPWAY_KNOWN_HOSTS (host.knownHosts) in the environment");
        writeSshIdentity(credentialsPath(dir), { privateKey, knownHosts });
        process.stderr.write(`    SSH access in ${credentialsPath(dir)}\n`);
        return;
    }
    if (command === "remove" && dir) return rmSync(credentialsPath(dir), { recursive: true, force: true });
    throw new Error("usage: sshAccess.js write <access dir> | remove <access dir>");
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`sshAccess.js: ${(error as Error).message}\n`);
    process.exit(1);
}
