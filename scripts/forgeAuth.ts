// node bin/scripts/forgeAuth.js login <credentials dir> | logout <credentials dir>
// login writes the forge admin's login folder in Slipway's cache (lib/forge/credentials) from its
// environment: SLIPWAY_FORGE_URL, SLIPWAY_FORGE_USERNAME, SLIPWAY_FORGE_PASSWORD and, for a private
// CA, SLIPWAY_FORGE_CA_PEM. Credentials come from the environment only: arguments show in process
// lists and logs. logout removes the folder.
import { removeForgeCredentials, writeForgeCredentials } from "../lib/forge/credentials";

/** Its command line after `node bin/scripts/forgeAuth.js` (components call it through components/kit/workers). */
export type Args = ["login" | "logout", credentialsDir: string];

function main([command, dir]: string[]) {
    if (command === "login" && dir) return login(dir);
    if (command === "logout" && dir) return removeForgeCredentials(dir);
    throw new Error("usage: forgeAuth.js login <credentials dir> | logout <credentials dir>");
}

function login(dir: string) {
    const { SLIPWAY_FORGE_URL: url, SLIPWAY_FORGE_USERNAME: username, SLIPWAY_FORGE_PASSWORD: password, SLIPWAY_FORGE_CA_PEM: ca } = process.env;
    if (!url || !username || !password) throw new Error("login needs SLIPWAY_FORGE_URL, SLIPWAY_FORGE_USERNAME and SLIPWAY_FORGE_PASSWORD in the environment");
    writeForgeCredentials(dir, { url, username, password, ...(ca ? { ca } : {}) });
    process.stderr.write(`    forge login for ${username} at ${url} in ${dir}\n`);
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`forgeAuth.js: ${(error as Error).message}\n`);
    process.exit(1);
}
