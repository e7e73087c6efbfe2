// The layering docs/architecture.md describes, kept true: entry → components → dynamic providers
// → lib, lib pure, tooling serving the command line only, and no import cycle anywhere.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/prerequisites";

const SOURCE = ["index.ts", "program.ts", "components", "config", "dynamic-providers", "lib", "scripts", "tooling"];

function sources(path: string): string[] {
    const full = join(ROOT, path);
    if (statSync(full).isFile()) return path.endsWith(".ts") ? [path] : [];
    return readdirSync(full).flatMap((name) => sources(join(path, name)));
}

/** Every module a file names with a relative path: imports, type imports, requires, `typeof import(…)`. */
function importsOf(file: string): string[] {
    const text = readFileSync(join(ROOT, file), "utf8");
    const found = [...text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
    return found.map((spec) => {
        const base = relative(ROOT, resolve(ROOT, dirname(file), spec));
        const hit = [`${base}.ts`, join(base, "index.ts"), base].find((c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile());
        if (!hit) throw new Error(`${file} imports ${spec}, which is not a file of the project`);
        return hit;
    });
}

const graph = new Map(SOURCE.flatMap(sources).map((file) => [file, importsOf(file)]));
const top = (file: string) => file.split("/")[0]!;

describe("Slipway's layout", () => {
    it("has no import cycle", () => {
        const cycles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const visit = (file: string, path: string[]) => {
            if (state.get(file) === "done") return;
            if (state.get(file) === "open") return void cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
            state.set(file, "open");
            for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
            state.set(file, "done");
        };
        for (const file of graph.keys()) visit(file, []);
        expect(cycles).toEqual([]);
    });

    it("lib imports nothing of ours outside lib, and nothing of Pulumi's", () => {
        for (const [file, deps] of graph) {
            if (top(file) !== "lib") continue;
            expect(
                deps.filter((d) => top(d) !== "lib"),
                file,
            ).toEqual([]);
            expect(readFileSync(join(ROOT, file), "utf8"), file).not.toMatch(/from "@pulumi\//);
        }
    });

    it("dynamic providers never import a component or the config (whatever they capture goes into the state)", () => {
        for (const [file, deps] of graph)
            if (top(file) === "dynamic-providers")
                expect(
                    deps.filter((d) => ["components", "config", "tooling"].includes(top(d))),
                    file,
                ).toEqual([]);
    });

    it("a dynamic provider takes from lib only types and constants at load time (its code is serialized; lib's runs through providerLib)", () => {
        for (const file of graph.keys()) {
            if (top(file) !== "dynamic-providers") continue;
            const text = readFileSync(join(ROOT, file), "utf8");
            for (const [, names] of text.matchAll(/^import \{([^}]*)\} from "(?:\.\.\/)+lib\/[^"]+";$/gm)) {
                const values = names!
                    .split(",")
                    .map((n) => n.trim())
                    .filter((n) => n && !n.startsWith("type "));
                expect(
                    values.filter((n) => !/^[A-Z][A-Z0-9_]*$/.test(n)),
                    file,
                ).toEqual([]);
            }
            expect(text, file).not.toMatch(/^import \* as \w+ from "(?:\.\.\/)+lib\//m);
        }
    });

    it("the program never imports the command line's tooling, and nothing imports the entry", () => {
        for (const [file, deps] of graph) {
            if (["components", "config", "dynamic-providers", "lib", "program.ts", "index.ts"].includes(top(file)))
                expect(
                    deps.filter((d) => top(d) === "tooling"),
                    file,
                ).toEqual([]);
            expect(
                deps.filter((d) => d === "index.ts" || (d === "program.ts" && file !== "index.ts")),
                file,
            ).toEqual([]);
        }
    });

    it("components reach workers only through the typed table (components/kit/workers)", () => {
        for (const file of graph.keys())
            if (top(file) === "components" && file !== "components/kit/workers.ts")
                expect(readFileSync(join(ROOT, file), "utf8"), file).not.toContain("bin/scripts/");
    });
});
