// The README and docs/ name files of this repository; a move must not leave them pointing at
// nothing, and nothing may point outside the repository (a clone has only what is in it).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/prerequisites";

const PAGES = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];
const TOP = /^(components|config|dynamic-providers|lib|scripts|tooling|test|docs|examples|bench|images)\//;

describe("the README and docs/", () => {
    it("link only to files in the repository, and those exist", () => {
        const broken: string[] = [];
        for (const page of PAGES) {
            const text = readFileSync(join(ROOT, page), "utf8");
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^(https?:|#)/.test(target!)) continue;
                const file = resolve(ROOT, dirname(page), target!.split("#")[0]!);
                if (relative(ROOT, file).startsWith("..") || !existsSync(file)) broken.push(`${page}: ${target}`);
            }
        }
        expect(broken).toEqual([]);
    });

    it("name only paths that exist (`components/…`, `lib/…`, `scripts/…`)", () => {
        const missing: string[] = [];
        for (const page of PAGES) {
            for (const [, path] of readFileSync(join(ROOT, page), "utf8").matchAll(/`([\w./-]+)`/g)) {
                if (TOP.test(path!) && !path!.includes("<") && !existsSync(join(ROOT, path!))) missing.push(`${page}: ${path}`);
            }
        }
        expect(missing).toEqual([]);
    });

    it("Mermaid labels hold no HTML: Gitea parses the rendered SVG as XML, and a <br> cuts every label after it", () => {
        const graphs = [...readFileSync(join(ROOT, "docs", "architecture.md"), "utf8").matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
        expect(graphs.length).toBeGreaterThan(0);
        for (const graph of graphs) expect(graph).not.toMatch(/<[a-z/][^>]*>/i);
    });

    it("the README is a front door: the two commands, the architecture, one link per subsystem", () => {
        const readme = readFileSync(join(ROOT, "README.md"), "utf8");
        expect(readme).toContain("    ./scripts/up\n");
        expect(readme).toContain("    ./scripts/test\n");
        for (const page of [
            "architecture",
            "setup",
            "configuration",
            "swarm",
            "proxy",
            "registry",
            "ci",
            "verification",
            "disk-images",
            "consuming",
            "previews",
            "operator-guide",
            "testing",
        ]) {
            expect(readme).toContain(`](docs/${page}.md)`);
        }
        expect(readme.length).toBeLessThan(8_000);
    });
});
