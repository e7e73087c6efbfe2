import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/**
 * Slipway's root relative to where Pulumi runs commands (the program's folder), for commands
 * that run Slipway's own scripts: they then read the same on every machine and checkout path,
 * so moving a checkout changes no command.
 */
export function projectDir(): string {
    let dir = __dirname;
    while (!existsSync(join(dir, "toolchain.lock.json"))) {
        const up = dirname(dir);
        if (up === dir) throw new Error(`no toolchain.lock.json above ${__dirname}: Slipway's scripts run from a Slipway checkout`);
        dir = up;
    }
    return relative(process.cwd(), dir) || ".";
}
