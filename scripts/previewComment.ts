// npm run preview:comment -- [preview.json] [--stack <name>] [--head <sha>] [--plan <ref@digest>]
// npm run preview:comment -- --failed <stderr file> [preview.json] [--stack <name>] [--head <sha>]
// npm run preview:comment -- --log [preview.json]   (every changed resource, unbounded: for the CI log)
// Renders the pull-request comment for `pulumi preview --json` output (a file, or standard
// input) on standard output; with --failed, the comment for a preview that failed, from what it
// printed (its errors, and the fixes Slipway's config errors name). The values of the step's
// credentials (PULUMI_CONFIG_PASSPHRASE, AWS_SECRET_ACCESS_KEY, SLIPWAY_FORGE_TOKEN,
// REGISTRY_PASSWORD) are cut out of a failure's text. Under SLIPWAY_PREVIEW_WITHOUT_HOSTS (the CI's
// preview) the comment says drift on the hosts was not checked. The head commit defaults to `git rev-parse HEAD`.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { renderFailureComment, renderPreviewComment, renderPreviewLog, type PreviewJson } from "../tooling/preview/comment";

/** The credentials a preview step holds: never in a comment. */
const SECRET_ENV = ["PULUMI_CONFIG_PASSPHRASE", "AWS_SECRET_ACCESS_KEY", "SLIPWAY_FORGE_TOKEN", "REGISTRY_PASSWORD"];

function main(argv: string[]) {
    const flag = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv.splice(i, 2)[1] : undefined;
    };
    const stack = flag("--stack") ?? process.env.PULUMI_STACK ?? "(stack)";
    const headFlag = flag("--head");
    const head = () => headFlag ?? execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const plan = flag("--plan");
    const logOnly = argv.includes("--log") ? (argv.splice(argv.indexOf("--log"), 1), true) : false;
    const failed = flag("--failed");
    if (failed !== undefined) {
        const json = argv[0] && existsSync(argv[0]) ? readFileSync(argv[0], "utf8") : undefined;
        const secrets = SECRET_ENV.map((k) => process.env[k] ?? "");
        process.stdout.write(renderFailureComment({ stderr: readFileSync(failed, "utf8"), ...(json ? { json } : {}) }, { stack, headSha: head() }, secrets));
        return;
    }
    const text = readFileSync(argv[0] ?? 0, "utf8");
    let preview: PreviewJson;
    try {
        preview = JSON.parse(text) as PreviewJson;
    } catch (error) {
        throw new Error(`the input is not \`pulumi preview --json\` output (${(error as Error).message}): run pulumi preview --json > preview.json`);
    }
    if (logOnly) {
        process.stdout.write(renderPreviewLog(preview));
        return;
    }
    const withoutHosts = process.env.SLIPWAY_PREVIEW_WITHOUT_HOSTS === "true";
    process.stdout.write(renderPreviewComment(preview, { stack, headSha: head(), withoutHosts, ...(plan ? { plan } : {}) }));
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`preview:comment failed: ${(error as Error).message}\n`);
    process.exit(1);
}
