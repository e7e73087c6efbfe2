import { describe, expect, it } from "vitest";
import { COMMENT_LIMIT, MARKER, renderPreviewComment, type PreviewStep } from "../../lib/preview/comment";

const urn = (type: string, name: string) => `urn:pulumi:gamma::slipway::${type}::${name}`;
const SECRET = "planted-secret-9f2c";
const secretValue = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: SECRET };

const steps: PreviewStep[] = [
    { op: "same", urn: urn("pulumi:pulumi:Stack", "slipway-gamma") },
    { op: "create", urn: urn("pulumi-nodejs:dynamic/slipway:ImagePromotion", "web"), newState: { type: "pulumi-nodejs:dynamic/slipway:ImagePromotion", inputs: { source: "registry.example.org/apps/web:staging", target: "registry.example.org/apps/web:prod", expectedRevision: "a".repeat(40), token: secretValue } } },
    { op: "update", urn: urn("pulumi-nodejs:dynamic/slipway:CosignVerification", "iso-verify"), newState: { type: "pulumi-nodejs:dynamic/slipway:CosignVerification", inputs: { reference: `registry.example.org/disk-images/edge/iso@sha256:${"b".repeat(64)}` } }, detailedDiff: { reference: { kind: "update" } } },
    { op: "create", urn: urn("pulumi-nodejs:dynamic/slipway:CosignVerification", "raw-verify"), newState: { type: "pulumi-nodejs:dynamic/slipway:CosignVerification", inputs: { reference: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } } },
    { op: "update", urn: urn("pulumi-nodejs:dynamic/slipway:RetentionPolicy", "iso-retention"), newState: { type: "pulumi-nodejs:dynamic/slipway:RetentionPolicy", inputs: { repository: "registry.example.org/disk-images/edge/iso", plannedDeletions: ["sha256:1", "sha256:2"], bytesReclaimable: 3 * 1024 * 1024 } } },
    { op: "replace", urn: urn("command:local:Command", "slipway-disk-edge-raw-amd64"), newState: { type: "command:local:Command", inputs: { create: `node bin/scripts/diskImage.js build '{"platform":"edge"}'`, environment: secretValue } }, diffReasons: ["triggers"] },
    { op: "update", urn: urn("command:local:Command", "slipway-registry-login"), newState: { type: "command:local:Command", inputs: { create: "[secret]", environment: { SLIPWAY_REGISTRY_PASSWORD: SECRET } } }, detailedDiff: { "environment.SLIPWAY_REGISTRY_PASSWORD": { kind: "update" } } },
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
        expect(comment).toContain(`promotion **web**: registry.example.org/apps/web:staging → registry.example.org/apps/web:prod at revision \`${"a".repeat(40)}\``);
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

    it("stays under the comment limit by summarising whole sections, never cutting one", () => {
        const many: PreviewStep[] = Array.from({ length: 3000 }, (_, i) => ({ op: "update", urn: urn("command:local:Command", `resource-${i}`), newState: { type: "command:local:Command", inputs: {} }, detailedDiff: { stdin: { kind: "update" }, environment: { kind: "update" } } }));
        const big = renderPreviewComment({ steps: many }, { stack: "gamma", headSha: "d".repeat(40) });
        expect(big.length).toBeLessThanOrEqual(COMMENT_LIMIT);
        expect(big).toContain("| 0 | 3000 | 0 | 0 |");
        const opened = big.split("<details>").length - 1;
        expect(big.split("</details>").length - 1).toBe(opened);
        expect(big).toMatch(new RegExp(`… and ${3000 - opened} more changed resources, summarised above`));
    });
});
