import { describe, expect, it } from "vitest";
import { COMMENT_LIMIT, MARKER, renderFailureComment, renderPreviewComment, renderPreviewLog, type PreviewStep } from "../../tooling/preview/comment";
import { previewSecrets } from "../../lib/ci/previews";

const urn = (type: string, name: string) => `urn:pulumi:gamma::slipway::${type}::${name}`;
const SECRET = "planted-secret-9f2c";
const secretValue = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: SECRET };

const steps: PreviewStep[] = [
    { op: "same", urn: urn("pulumi:pulumi:Stack", "slipway-gamma") },
    {
        op: "create",
        urn: urn("pulumi-nodejs:dynamic/slipway:ImagePromotion", "web"),
        newState: {
            type: "pulumi-nodejs:dynamic/slipway:ImagePromotion",
            inputs: {
                source: "registry.example.org/apps/web:staging",
                target: "registry.example.org/apps/web:prod",
                expectedRevision: "a".repeat(40),
                token: secretValue,
            },
        },
    },
    {
        op: "update",
        urn: urn("pulumi-nodejs:dynamic/slipway:CosignVerification", "iso-verify"),
        newState: {
            type: "pulumi-nodejs:dynamic/slipway:CosignVerification",
            inputs: { reference: `registry.example.org/disk-images/edge/iso@sha256:${"b".repeat(64)}` },
        },
        detailedDiff: { reference: { kind: "update" } },
    },
    {
        op: "create",
        urn: urn("pulumi-nodejs:dynamic/slipway:CosignVerification", "raw-verify"),
        newState: { type: "pulumi-nodejs:dynamic/slipway:CosignVerification", inputs: { reference: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } },
    },
    {
        op: "update",
        urn: urn("pulumi-nodejs:dynamic/slipway:RetentionPolicy", "iso-retention"),
        newState: {
            type: "pulumi-nodejs:dynamic/slipway:RetentionPolicy",
            inputs: { repository: "registry.example.org/disk-images/edge/iso", plannedDeletions: ["sha256:1", "sha256:2"], bytesReclaimable: 3 * 1024 * 1024 },
        },
    },
    {
        op: "replace",
        urn: urn("command:local:Command", "slipway-disk-edge-raw-amd64"),
        newState: { type: "command:local:Command", inputs: { create: `node bin/scripts/diskImage.js build '{"platform":"edge"}'`, environment: secretValue } },
        diffReasons: ["triggers"],
    },
    {
        op: "update",
        urn: urn("command:local:Command", "slipway-registry-login"),
        newState: { type: "command:local:Command", inputs: { create: "[secret]", environment: { SLIPWAY_REGISTRY_PASSWORD: SECRET } } },
        detailedDiff: { "environment.SLIPWAY_REGISTRY_PASSWORD": { kind: "update" } },
    },
];

describe("the preview comment", () => {
    const comment = renderPreviewComment({ steps, changeSummary: { same: 1, create: 2, update: 3, replace: 1 } }, { stack: "gamma", headSha: "c".repeat(40) });

    it("counts, then the domain summary, then each changed resource collapsed, for the head commit", () => {
        expect(comment.startsWith(MARKER)).toBe(true);
        expect(comment).toContain(`Computed for ${"c".repeat(40)}.`);
        expect(comment).toContain("| 2 | 3 | 1 | 0 |");
        // A reference the engine knows only at apply is named by its resource, never by the engine's placeholder.
        expect(comment).toContain("verification would run: `raw-verify` (reference known once published)");
        expect(comment).not.toContain("04da6b54");
        expect(comment).toContain(
            `promotion **web**: registry.example.org/apps/web:staging → registry.example.org/apps/web:prod at revision \`${"a".repeat(40)}\``,
        );
        expect(comment).toContain(`verification would run: \`registry.example.org/disk-images/edge/iso@sha256:${"b".repeat(64)}\``);
        expect(comment).toContain("would delete 2 manifests, reclaiming 3.0 MiB");
        expect(comment).toContain("disk images that would build: `slipway-disk-edge-raw-amd64`");
        expect(comment.indexOf("What this changes")).toBeLessThan(comment.indexOf("<details>"));
        expect(comment).toContain("<details><summary>replace <code>slipway-disk-edge-raw-amd64</code> (command:local:Command)</summary>");
        expect(comment).toContain("- `environment.SLIPWAY_REGISTRY_PASSWORD (update)`");
        expect(comment).not.toContain("slipway-gamma");
    });

    it("never prints a secret planted anywhere in the preview", () => {
        expect(comment).not.toContain(SECRET);
        expect(comment).not.toContain("1b47061264138c4ac30d75fd1eb44270");
    });

    it("the CI log lists every change the comment summarises, with no secret", () => {
        const many: PreviewStep[] = Array.from({ length: 3000 }, (_, i) => ({
            op: "update",
            urn: urn("command:local:Command", `resource-${i}`),
            detailedDiff: { stdin: { kind: "update" } },
        }));
        const log = renderPreviewLog({ steps: [...steps, ...many] });
        expect(log.trimEnd().split("\n")).toHaveLength(3000 + steps.length - 1);
        expect(log).toContain("update resource-2999 (command:local:Command): stdin (update)");
        expect(log).toContain("replace slipway-disk-edge-raw-amd64 (command:local:Command): triggers");
        expect(log).not.toContain(SECRET);
    });

    it("stays under the comment limit by summarising whole sections, never cutting one", () => {
        const many: PreviewStep[] = Array.from({ length: 3000 }, (_, i) => ({
            op: "update",
            urn: urn("command:local:Command", `resource-${i}`),
            newState: { type: "command:local:Command", inputs: {} },
            detailedDiff: { stdin: { kind: "update" }, environment: { kind: "update" } },
        }));
        const big = renderPreviewComment({ steps: many }, { stack: "gamma", headSha: "d".repeat(40) });
        expect(big.length).toBeLessThanOrEqual(COMMENT_LIMIT);
        expect(big).toContain("| 0 | 3000 | 0 | 0 |");
        const opened = big.split("<details>").length - 1;
        expect(big.split("</details>").length - 1).toBe(opened);
        expect(big).toMatch(new RegExp(`… and ${3000 - opened} more changed resources, summarised above`));
    });
});

describe("the preview comment, from the platform's CI", () => {
    const plan = `registry.example.org/slipway-previews/gamma@sha256:${"e".repeat(64)}`;

    it("names the saved plan by digest and how to apply exactly it, and says drift on the hosts was not checked", () => {
        const comment = renderPreviewComment({ steps }, { stack: "gamma", headSha: "c".repeat(40), plan, withoutHosts: true });
        expect(comment).toContain(`crane export ${plan} - | tar -xO plan.json > plan.json && pulumi up --stack gamma --plan plan.json`);
        expect(comment).toContain("drift there (a service or image removed by hand) is not checked");
    });

    it("prints no plan that is not a reference by digest", () => {
        expect(renderPreviewComment({ steps }, { stack: "gamma", headSha: "c".repeat(40), plan: "registry.example.org/x:latest; rm -rf /" })).not.toContain(
            "Plan",
        );
    });
});

describe("the comment for a failed preview", () => {
    const meta = { stack: "gamma", headSha: "f".repeat(40) };
    const stderr = [
        "Previewing update (gamma):",
        "\u001b[31merror:\u001b[0m Slipway's stack configuration has 1 problem:",
        '  - slipway:registry.engine "zot" cannot run here; use "distribution"',
        "      fix: pulumi config set --stack gamma --path registry.engine distribution",
        `  (passphrase ${SECRET} was read from PULUMI_CONFIG_PASSPHRASE)`,
    ].join("\n");

    it("says it failed, for which head, with the engine's errors and their fixes, and no secret", () => {
        const comment = renderFailureComment({ stderr }, meta, [SECRET]);
        expect(comment.startsWith(MARKER)).toBe(true);
        expect(comment).toContain("### `pulumi preview` of `gamma` failed");
        expect(comment).toContain(`Computed for ${"f".repeat(40)}.`);
        expect(comment).toContain("fix: pulumi config set --stack gamma --path registry.engine distribution");
        expect(comment).not.toContain("Previewing update");
        expect(comment).not.toContain("\u001b");
        expect(comment).not.toContain(SECRET);
        expect(comment).toContain("passphrase [secret] was read");
    });

    it("prefers the JSON diagnostics' errors when the preview wrote them", () => {
        const json = JSON.stringify({
            diagnostics: [
                { severity: "warning", message: "ignored" },
                { severity: "error", message: "the registry is down\n" },
            ],
        });
        const comment = renderFailureComment({ stderr, json }, meta, []);
        expect(comment).toContain("the registry is down");
        expect(comment).not.toContain("ignored");
    });

    it("stays under the limit however much the preview printed, and keeps its fence closed", () => {
        const huge = renderFailureComment({ stderr: `error: ${"x ```".repeat(40_000)}` }, meta, [], COMMENT_LIMIT);
        expect(huge.length).toBeLessThanOrEqual(COMMENT_LIMIT);
        expect(huge.trimEnd().endsWith("```")).toBe(true);
        expect(huge.split("```").length - 1).toBe(2);
        expect(huge).toContain("(cut; the CI log has the rest)");
    });
});

describe("the secrets ci:repo --preview gives a repository", () => {
    const settings = {
        backendUrl: "s3://state?endpoint=s3.example.org",
        accessKeyId: "reader",
        secretKey: "s3-secret",
        passphrase: "phrase",
        forgeToken: "token",
    };

    it("hands the preview's only to pull requests (and runs by hand); the registry login to both", () => {
        const set = previewSecrets("gamma", settings, { username: "slipway", password: "registry-secret" });
        expect(Object.fromEntries(set.map((s) => [s.name, [s.value, [...(s.events ?? [])].sort().join(",")]]))).toEqual({
            slipway_stack: ["gamma", "manual,pull_request"],
            pulumi_backend_url: [settings.backendUrl, "manual,pull_request"],
            aws_access_key_id: ["reader", "manual,pull_request"],
            aws_secret_access_key: ["s3-secret", "manual,pull_request"],
            pulumi_config_passphrase: ["phrase", "manual,pull_request"],
            slipway_forge_token: ["token", "manual,pull_request"],
            registry_username: ["slipway", "deployment,manual,pull_request,push,tag"],
            registry_password: ["registry-secret", "deployment,manual,pull_request,push,tag"],
        });
    });

    it("refuses a stack name Pulumi would not take", () => {
        expect(() => previewSecrets("a stack; rm", settings, { username: "u", password: "p" })).toThrow(/is not a stack name/);
    });
});
