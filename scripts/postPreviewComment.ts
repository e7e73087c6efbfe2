// npm run preview:post -- [comment.md] [--forge github|gitea] [--api-url <url>] [--repo <owner/name>] [--pr <n>]
// Posts the preview comment (a file, or standard input) on the pull request, or edits the one
// posted before (found by its marker). Where to post comes from the CI's environment
// (tooling/preview/forgeContext); each flag overrides its part. The token comes from
// SLIPWAY_FORGE_TOKEN only, never a flag: flags show in process lists and CI logs.
// Prints "created <url>" or "updated <url>".
import { readFileSync } from "node:fs";
import { FLAGS, forgeContext, type ForgeContext } from "../tooling/preview/forgeContext";
import { upsertPreviewComment } from "../tooling/preview/post";

function flagsFrom(argv: string[]): { flags: Partial<ForgeContext>; rest: string[] } {
    const flags: Partial<ForgeContext> = {};
    const rest: string[] = [];
    const known = Object.values(FLAGS);
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--token")
            throw new Error("there is no --token: the token comes from SLIPWAY_FORGE_TOKEN only (a flag would show in process lists and CI logs)");
        if (!arg.startsWith("--")) {
            rest.push(arg);
            continue;
        }
        if (!known.includes(arg)) throw new Error(`unknown flag ${arg}: the flags are ${known.join(", ")}`);
        const value = argv[++i];
        if (value === undefined) throw new Error(`${arg} needs a value`);
        if (arg === FLAGS.forge) {
            if (value !== "github" && value !== "gitea") throw new Error(`--forge ${value}: use github or gitea (Forgejo is gitea)`);
            flags.forge = value;
        } else if (arg === FLAGS.pullRequest) {
            flags.pullRequest = Number(value);
            if (!Number.isInteger(flags.pullRequest) || flags.pullRequest < 1) throw new Error(`--pr ${value} is not a pull request number`);
        } else if (arg === FLAGS.apiUrl) flags.apiUrl = value;
        else flags.repo = value;
    }
    return { flags, rest };
}

async function main(argv: string[]) {
    const { flags, rest } = flagsFrom(argv);
    const context = forgeContext(process.env, (path) => readFileSync(path, "utf8"), flags);
    const token = process.env.SLIPWAY_FORGE_TOKEN;
    if (!token) throw new Error("SLIPWAY_FORGE_TOKEN is not set: give the CI step the forge token from its secret store");
    const body = readFileSync(rest[0] ?? 0, "utf8");
    const posted = await upsertPreviewComment({ ...context, token, body });
    process.stdout.write(`${posted.action} ${posted.url}\n`);
}

main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`preview:post failed: ${error.message}\n`);
    process.exit(1);
});
