import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load } from "js-yaml";
import { defaultOf, renderConfigDocs } from "../../config/docs";
import { SECTION_NAMES } from "../../config/schema";
import { SECRET_KEY_NAMES } from "../../config/secrets";

const text = readFileSync(join(__dirname, "../../Pulumi.yaml"), "utf8");

describe("Pulumi.yaml", () => {
    it("documents every config key exactly as the schema defines it (regenerate: npm run docs:config)", () => {
        expect(text).toContain(renderConfigDocs());
    });

    it("looks inside array items for a field's default: required only when it has none and is not optional", () => {
        expect(defaultOf("diskImages[].retention")).toBe("");
        expect(defaultOf("diskImages[].initramfs.agent")).toBe("");
        expect(defaultOf("promotion[].requireSignature")).toBe(" [default: true]");
        expect(defaultOf("host.workers[].labels")).toBe(" [default: {}]");
        expect(defaultOf("diskImages[].architectures")).toBe(' [default: ["amd64","arm64"]]');
        expect(defaultOf("diskImages[].name")).toBe(" (required)");
        expect(defaultOf("registry.mirrors[].from")).toBe(" (required)");
        expect(defaultOf("proxy.domain")).toBe(" (required)");
        expect(defaultOf("retention.keep")).toBe(" [default: 3]");
    });

    it("declares each section with a default, so Slipway's validation reports missing keys, not the engine", () => {
        const project = load(text) as { name: string; main: string; config: Record<string, { default?: unknown }> };
        expect(project.name).toBe("slipway");
        expect(project.main).toBe("bin/index.js");
        expect(Object.keys(project.config).sort()).toEqual([...SECTION_NAMES].sort());
        for (const name of SECTION_NAMES) expect(project.config[name]!.default, name).toBeDefined();
        for (const name of SECRET_KEY_NAMES) expect(text, name).toContain(`pulumi config set --secret ${name}`);
    });
});
