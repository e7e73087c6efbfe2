// npm run preview:post -- [comment.md] [--forge github|gitea --api-url <url> --repo <owner/name> --pr <n>]
// Posts the preview comment (a file, or standard input) on the pull request, or edits the one
// posted before (found by its marker). Where: from the CI's environment (lib/preview/forgeContext)
// unless the flags say. The token comes from SLIPWAY_FORGE_TOKEN only, never a flag: flags show
// in process lists and CI logs. Prints "created|updated <url>".
import { readFileSync } from "node:fs";
import { forgeContext, type ForgeContext } from "../lib/preview/forgeContext";
import { upsertPreviewComment, type Forge } from "../lib/preview/post";

async function main(argv: string[]) {
    const flag = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv.splice(i, 2)[1] : undefined;
    };
    const explicit = { forge: flag("--forge") as Forge | undefined, apiUrl: flag("--api-url"), repo: flag("--repo"), pr: flag("--pr") };
    const context: ForgeContext =
        explicit.forge && explicit.apiUrl && explicit.repo && explicit.pr
            ? { forge: explicit.forge, apiUrl: explicit.apiUrl, repo: explicit.repo, pullRequest: Number(explicit.pr) }
            : forgeContext(process.env, (path) => readFileSync(path, "utf8"));
    const token = process.env.SLIPWAY_FORGE_TOKEN;
    if (!token) throw new Error("SLIPWAY_FORGE_TOKEN is not set: give the CI step the forge token from its secret store");
    const body = readFileSync(argv[0] ?? 0, "utf8");
    const posted = await upsertPreviewComment({ ...context, token, body });
    process.stdout.write(`${posted.action} ${posted.url}\n`);
}

main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`preview:post failed: ${error.message}\n`);
    process.exit(1);
});
