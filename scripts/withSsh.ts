// node bin/scripts/withSsh.js <access dir> <program> [args…]
// Runs a program (a command resource's shell) with the site's SSH access folder first on PATH,
// so `docker` reaches an ssh:// manager with the stack's key and known hosts, not the
// operator's own ssh setup. The folder is named relative to Slipway's cache, so the command
// reads the same on every machine. A missing folder fails: the key never silently gives way.
import { spawnSync } from "node:child_process";
import { sshAccessEnv } from "../lib/docker/sshIdentity";

/** Its command line after `node bin/scripts/withSsh.js` (components call it through components/kit/workers). */
export type Args = [accessDir: string, program: string, ...args: string[]];

const [dir, program, ...args] = process.argv.slice(2);
try {
    if (!dir || !program) throw new Error("usage: withSsh.js <access dir> <program> [args…]");
    const result = spawnSync(program, args, { stdio: "inherit", env: { ...process.env, ...sshAccessEnv(dir) } });
    if (result.error) throw result.error;
    process.exit(result.status ?? 1);
} catch (error) {
    process.stderr.write(`withSsh.js: ${(error as Error).message}\n`);
    process.exit(1);
}
