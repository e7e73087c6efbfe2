// The CI workflow definitions that preview every pull request: triggered by pull requests
// only, secrets from the CI's secret store, calling scripts that exist, for the PR's head
// commit, with a saved plan that `pulumi up --plan` can apply.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/prerequisites";

const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
const read = (path: string) => ({ text: readFileSync(join(ROOT, path), "utf8"), doc: load(readFileSync(join(ROOT, path), "utf8")) as Record<string, unknown> });

const workflows = [
    { path: ".woodpecker/preview.yaml", head: "$CI_COMMIT_SHA" },
    { path: ".github/workflows/preview.yaml", head: "${{ github.event.pull_request.head.sha }}" },
    { path: ".gitea/workflows/preview.yaml", head: "${{ github.event.pull_request.head.sha }}" },
];

describe("pull-request preview workflows", () => {
    for (const w of workflows) {
        describe(w.path, () => {
            const { text, doc } = read(w.path);

            it("runs on pull requests only", () => {
                if (w.path.startsWith(".woodpecker")) expect(doc.when).toEqual({ event: "pull_request" });
                else expect(Object.keys(doc.on as object)).toEqual(["pull_request"]);
            });

            it("takes every secret from the CI's secret store, none written here", () => {
                if (w.path.startsWith(".woodpecker")) {
                    const step = (doc.steps as Record<string, { secrets: string[] }>).preview!;
                    expect(step.secrets.sort()).toEqual(["pulumi_backend_url", "pulumi_config_passphrase", "slipway_forge_token"]);
                } else {
                    const env = (doc.jobs as Record<string, { env: Record<string, string> }>).preview!.env;
                    for (const key of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "SLIPWAY_FORGE_TOKEN"]) expect(env[key], key).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
                }
                expect(text).not.toMatch(/PASSPHRASE[=:]\s*["']?[^$\s{"']/);
            });

            it("previews with a saved plan, renders the comment for the head commit, and posts it with scripts that exist", () => {
                expect(text).toContain("pulumi preview --stack \"$SLIPWAY_STACK\" --json --non-interactive --save-plan plan.json > preview.json");
                expect(text).toContain(`--head "${w.head}"`);
                for (const m of text.matchAll(/npm run --silent ([\w:-]+)/g)) expect(scripts).toContain(m[1]);
                expect(text).toMatch(/npm run --silent preview:comment -- preview\.json/);
                expect(text).toMatch(/npm run --silent preview:post -- comment\.md/);
            });
        });
    }
});
