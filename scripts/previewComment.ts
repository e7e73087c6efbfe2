// npm run preview:comment -- [preview.json] [--stack <name>] [--head <sha>]
// Renders the pull-request comment for `pulumi preview --json` output (a file, or standard
// input) on standard output. The head commit defaults to `git rev-parse HEAD`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { renderPreviewComment, type PreviewJson } from "../lib/preview/comment";

function main(argv: string[]) {
    const flag = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv.splice(i, 2)[1] : undefined;
    };
    const stack = flag("--stack") ?? process.env.PULUMI_STACK ?? "(stack)";
    const headSha = flag("--head") ?? execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const text = readFileSync(argv[0] ?? 0, "utf8");
    let preview: PreviewJson;
    try {
        preview = JSON.parse(text) as PreviewJson;
    } catch (error) {
        throw new Error(`the input is not \`pulumi preview --json\` output (${(error as Error).message}): run pulumi preview --json > preview.json`);
    }
    process.stdout.write(renderPreviewComment(preview, { stack, headSha }));
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`preview:comment failed: ${(error as Error).message}\n`);
    process.exit(1);
}
