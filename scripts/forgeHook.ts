// node bin/scripts/forgeHook.js ensure|remove <credentials dir> <hook url>
// The platform's forge sends every repository's pull-request comments to the `/preview` command
// service (scripts/previewCommands.ts) through one system webhook: `ensure` creates it, or edits
// the one at that URL (a rotated secret), signed with SLIPWAY_HOOK_SECRET from the environment
// (never an argument); `remove` deletes it. The forge's admin login is the folder the forge's
// login command writes (lib/forge/credentials).
import { readForgeCredentials } from "../lib/forge/credentials";
import { GiteaClient } from "../lib/forge/gitea";

/** Its command line after `node bin/scripts/forgeHook.js` (components call it through components/kit/workers). */
export type Args = ["ensure" | "remove", credentialsDir: string, hookUrl: string];

async function main([command, dir, url]: string[]) {
    if (!dir || !url || (command !== "ensure" && command !== "remove")) throw new Error("usage: forgeHook.js ensure|remove <credentials dir> <hook url>");
    const forge = new GiteaClient(readForgeCredentials(dir));
    try {
        await forge.waitForAdmin();
        if (command === "remove") {
            process.stderr.write(`    system webhook ${url}: ${(await forge.removeSystemHook(url)) ? "removed" : "none"}\n`);
            return;
        }
        const secret = process.env.SLIPWAY_HOOK_SECRET;
        if (!secret) throw new Error("ensure needs SLIPWAY_HOOK_SECRET in the environment");
        process.stderr.write(`    system webhook ${url} (pull-request comments): ${await forge.ensureSystemHook(url, ["pull_request_comment"], secret)}\n`);
        // Its stdout is what the stack keeps: the URL, never the secret.
        process.stdout.write(`${url}\n`);
    } finally {
        forge.close();
    }
}

main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`forgeHook.js: ${error.message}\n`);
    process.exit(1);
});
