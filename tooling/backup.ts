// npm run backup -- --stack <name> <file>
// npm run restore -- --stack <name> <file> [--force]
// Backs up (or restores) a site's data: the registry's blobs and the CI database (tooling/backup).
// The stack's configuration comes from `pulumi config --json` (so PULUMI_BACKEND_URL and the
// passphrase are the operator's, as for any pulumi command); a remote manager is reached through
// the stack's SSH access folder, written by its last up, or else the operator's own ssh.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { backupSite, restoreSite } from "./backup/backup";
import { siteOf } from "./backup/site";
import { sshAccessEnv } from "../lib/docker/sshIdentity";
import { credentialsPath } from "../lib/registry/credentialsDir";

const USAGE = "usage: backup.js backup|restore --stack <name> <file> [--force]";

function parse(argv: string[]) {
    const [command, ...rest] = argv;
    let stack: string | undefined;
    let file: string | undefined;
    let force = false;
    for (let i = 0; i < rest.length; i++) {
        if (rest[i] === "--stack") stack = rest[++i];
        else if (rest[i] === "--force") force = true;
        else if (!file) file = rest[i];
        else throw new Error(`unexpected argument ${rest[i]}: ${USAGE}`);
    }
    if ((command !== "backup" && command !== "restore") || !stack || !file) throw new Error(USAGE);
    return { command, stack, file: resolve(file), force };
}

async function main() {
    const { command, stack, file, force } = parse(process.argv.slice(2));
    const project = join(__dirname, "..", "..");
    const config = JSON.parse(
        execFileSync("pulumi", ["config", "--json", "--stack", stack, "--cwd", project], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }),
    ) as Parameters<typeof siteOf>[1];
    const site = siteOf(stack, config);
    const access = `ssh-access/${stack}`;
    const overSsh = site.endpoint.startsWith("ssh://") && site.sshKey;
    if (overSsh && !existsSync(join(credentialsPath(access), "ssh")))
        throw new Error(
            `${stack} reaches ${site.endpoint} with its SSH key, whose access folder ${credentialsPath(access)} is not on this machine: run pulumi up for the stack here first`,
        );
    const env = overSsh ? sshAccessEnv(access) : {};
    const progress = (line: string) => process.stderr.write(`${command}: ${line}\n`);
    if (command === "backup") {
        const manifest = await backupSite(site, file, env, progress);
        process.stdout.write(`${JSON.stringify({ file, parts: manifest.parts.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })) })}\n`);
    } else {
        await restoreSite(site, file, { force }, env, progress);
        process.stderr.write(`restore: ${stack} has the data of ${file}\n`);
    }
}

main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
});
