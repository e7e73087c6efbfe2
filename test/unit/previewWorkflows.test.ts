// The CI definitions that preview every pull request, read as the CIs read them: triggered by
// pull requests only, every secret from the CI's secret store, the same commands in the same
// order (calling npm scripts that exist) for the pull request's head commit.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/prerequisites";
import { previewSecrets } from "../../lib/ci/previews";

const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const SECRETS = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "SLIPWAY_FORGE_TOKEN"];

/** What every workflow runs, in order, with its CI's spelling of the head commit. */
const expectedCommands = (head: string) => [
    "./scripts/setup",
    ". scripts/env",
    'pulumi preview --stack "$SLIPWAY_STACK" --diff --non-interactive',
    'pulumi preview --stack "$SLIPWAY_STACK" --json --non-interactive --save-plan plan.json > preview.json',
    `npm run --silent preview:comment -- preview.json --stack "$SLIPWAY_STACK" --head "${head}" > comment.md`,
    "npm run --silent preview:post -- comment.md",
];

interface Woodpecker {
    when: unknown;
    labels?: Record<string, string>;
    steps: Record<string, { image: string; environment?: string[]; secrets: string[]; commands: string[] }>;
}

interface Actions {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<
        string,
        { "runs-on": string | string[]; env: Record<string, string>; steps: Array<{ uses?: string; with?: Record<string, string>; run?: string }> }
    >;
}

const read = <T>(path: string) => {
    const text = readFileSync(join(ROOT, path), "utf8");
    return { text, doc: load(text) as T };
};

describe("npm scripts the workflows call", () => {
    it("preview:comment and preview:post build and run scripts that exist", () => {
        for (const [name, file] of [
            ["preview:comment", "previewComment"],
            ["preview:post", "postPreviewComment"],
        ]) {
            expect(scripts[name!]).toBe(`tsc -p tsconfig.build.json && node bin/scripts/${file}.js`);
            expect(existsSync(join(ROOT, "scripts", `${file}.ts`))).toBe(true);
        }
    });
});

describe(".woodpecker/preview.yaml", () => {
    const { text, doc } = read<Woodpecker>(".woodpecker/preview.yaml");
    const step = doc.steps.preview!;

    it("says why it is shaped so, and runs on pull requests only", () => {
        expect(text.startsWith("# ")).toBe(true);
        expect(doc.when).toEqual({ event: "pull_request" });
    });

    it("is written for the Woodpecker the platform runs (1.0.x: steps as a map, secrets by name)", () => {
        const lock = JSON.parse(readFileSync(join(ROOT, "toolchain.lock.json"), "utf8")) as { tools: Record<string, { version: string }> };
        expect(lock.tools.woodpecker!.version).toMatch(/^1\.0\./);
        expect(Array.isArray(doc.steps)).toBe(false);
        // from_secret in environment arrived in Woodpecker 2.4: 1.0 would not run it.
        expect(text).not.toContain("from_secret");
    });

    it("runs slipway-preview in the platform's preview image, which the server names (the only ${…} Woodpecker substitutes)", () => {
        expect(step.image).toBe("${SLIPWAY_PREVIEW_IMAGE}");
        expect(text.match(/\$\{[^}]*\}/g)).toEqual(["${SLIPWAY_PREVIEW_IMAGE}"]);
        expect(step.commands).toEqual(["slipway-preview"]);
        expect(doc.labels).toBeUndefined();
    });

    it("takes every secret from Woodpecker's secret store, by the names ci:repo --preview sets", () => {
        const set = previewSecrets(
            "site",
            { backendUrl: "s3://b", accessKeyId: "k", secretKey: "s", passphrase: "p", forgeToken: "t" },
            { username: "u", password: "w" },
        );
        expect([...step.secrets].sort()).toEqual(set.map((s) => s.name).sort());
        expect(step.environment).toBeUndefined();
    });

    it("names in slipway-preview exactly the secrets it is given", () => {
        const script = readFileSync(join(ROOT, "scripts", "images", "steps", "preview.sh"), "utf8");
        for (const secret of step.secrets) expect(script).toContain(`$\{${secret.toUpperCase()}`);
    });
});

const actions = [
    { path: ".github/workflows/preview.yaml", runsOn: ["self-hosted", "slipway"], token: "GITHUB_TOKEN" },
    { path: ".gitea/workflows/preview.yaml", runsOn: "disk-image-builder", token: "SLIPWAY_FORGE_TOKEN" },
];
const HEAD = "${{ github.event.pull_request.head.sha }}";

for (const w of actions) {
    describe(w.path, () => {
        const { text, doc } = read<Actions>(w.path);
        const job = doc.jobs.preview!;

        it("says why it is shaped so, and runs on pull requests only", () => {
            expect(text.startsWith("# ")).toBe(true);
            expect(Object.keys(doc.on)).toEqual(["pull_request"]);
            expect(job["runs-on"]).toEqual(w.runsOn);
        });

        it("takes every secret from the repository's secret store, and the stack from a variable", () => {
            const { SLIPWAY_FORGE_TOKEN, ...rest } = job.env;
            expect(SLIPWAY_FORGE_TOKEN).toBe(`\${{ secrets.${w.token} }}`);
            expect(rest).toEqual({
                SLIPWAY_STACK: "${{ vars.SLIPWAY_STACK || 'gamma' }}",
                PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}",
                PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
            });
        });

        it("checks out the pull request's head commit and runs the preview commands for it", () => {
            expect(job.steps[0]).toEqual({ uses: "actions/checkout@v4", with: { ref: HEAD } });
            const commands = job.steps.flatMap((s) => (s.run ?? "").split("\n").filter(Boolean));
            expect(commands).toEqual(expectedCommands(HEAD));
        });
    });
}

describe(".github/workflows/preview.yaml on GitHub", () => {
    const { doc } = read<Actions>(".github/workflows/preview.yaml");

    it("its job token may comment and read the code, nothing more; a newer push cancels the older preview", () => {
        expect(doc.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        expect(doc.concurrency).toEqual({ group: "preview-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    });
});

describe("all three workflows", () => {
    it("write no secret's value: each secret is a secret-store reference", () => {
        for (const path of actions.map((a) => a.path)) {
            const text = readFileSync(join(ROOT, path), "utf8");
            for (const key of SECRETS) {
                const assigned = [...text.matchAll(new RegExp(`^[ \\t]*${key}:[ \\t]*(.*)$`, "gm"))].map((m) => m[1]);
                expect(assigned, `${path} ${key}`).toHaveLength(1);
                expect(assigned[0], `${path} ${key}`).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
            }
        }
        // Woodpecker's come by name from its store; no value of them is in the file.
        expect(readFileSync(join(ROOT, ".woodpecker/preview.yaml"), "utf8")).not.toMatch(/(PASSPHRASE|TOKEN|BACKEND_URL)\s*[=:]/);
    });
});
