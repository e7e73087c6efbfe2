// docs/operator-guide.md cannot rot: each command block names the test that exercises it, every
// config key it sets is one the schema knows, the bootstrap sequence makes a configuration
// Slipway accepts, and every error text it quotes is the one Slipway prints.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblems, validateConfig, type RawEntry } from "../../config/validate";
import { SECTION_NAMES, sectionsSchema } from "../../config/schema";
import { SECRET_KEY_NAMES } from "../../config/secrets";
import { schemaAt } from "../../config/walk";
import { parsePlatformOutputs } from "../../lib/outputs/schema";
import { guideBlocks, type GuideBlock } from "../support/guide";
import { ROOT } from "../support/prerequisites";

const blocks = guideBlocks();
const commands = blocks.filter((b) => b.lang === "sh");
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** Words of a command line as the shell splits them (quotes; no expansion). */
function words(line: string): string[] {
    return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** `a.b["c.d"][0]` → ["a", "b", "c.d", 0], as `pulumi config set --path` reads it. */
function parsePath(text: string): Array<string | number> {
    return [...text.matchAll(/\["([^"]+)"\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
}

interface ConfigSet {
    key: Array<string | number>;
    secret: boolean;
    type?: string;
    value?: string;
    /** The file the value is read from (`< file`). */
    from?: string;
}

/** A `pulumi config set` line, understood the way the CLI does. */
function configSet(line: string): ConfigSet | undefined {
    const w = words(line);
    if (w[0] !== "pulumi" || w[1] !== "config" || w[2] !== "set") return undefined;
    const rest = w.slice(3);
    const set: Partial<ConfigSet> = { secret: false };
    const positional: string[] = [];
    for (let i = 0; i < rest.length; i++) {
        const word = rest[i]!;
        if (word === "--secret") set.secret = true;
        else if (word === "--path") continue;
        else if (word === "--type") set.type = rest[++i];
        else if (word === "--stack") i++;
        else if (word === "<") set.from = rest[++i];
        else if (word === "--") positional.push(...rest.slice(i + 1).filter((x) => x !== "<"));
        else positional.push(word);
        if (word === "--") break;
    }
    return { ...(set as ConfigSet), key: parsePath(positional[0]!), ...(positional[1] !== undefined ? { value: positional[1] } : {}) };
}

/** What a file named in the guide would hold, enough for the schema's checks. */
function fileContent(file: string): string {
    if (file.endsWith(".crt")) return "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    if (file === "known_hosts") return "203.0.113.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK6";
    if (file.endsWith(".pub")) return "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";
    return `contents of ${file}`;
}

function where(block: GuideBlock) {
    return `docs/operator-guide.md:${block.line}`;
}

describe("docs/operator-guide.md", () => {
    it("every command block names a test or script that exercises it, and that test exists", () => {
        expect(commands.length).toBeGreaterThan(8);
        for (const block of commands) {
            const exercised = block.markers.exercised;
            expect(exercised, `${where(block)} names no test`).toBeDefined();
            const [file, title] = exercised!.split(" › ");
            expect(existsSync(join(ROOT, file!)), `${where(block)}: ${file} does not exist`).toBe(true);
            if (title) expect(readFileSync(join(ROOT, file!), "utf8"), `${where(block)}: ${file} has no test "${title}…"`).toContain(`it("${title}`);
        }
    });

    it("every config key it sets or removes is one Slipway's schema knows", () => {
        const lines = commands.flatMap((b) => b.lines.map((line) => ({ line, block: b })));
        const sets = lines.map(({ line, block }) => ({ set: configSet(line), line, block })).filter((x) => x.set);
        expect(sets.length).toBeGreaterThan(20);
        // `pulumi config rm --path <key>` names a key too.
        for (const { line, block } of lines) {
            const rm = /^pulumi config rm (?:--path )?(\S+)/.exec(line);
            const key = rm?.[1]!.replace(/^'|'$/g, "");
            if (key && !(SECRET_KEY_NAMES as string[]).includes(key))
                expect(schemaAt(sectionsSchema, parsePath(key)), `${where(block)}: ${line}`).toBeDefined();
        }
        for (const { set, line, block } of sets) {
            const [section] = set!.key;
            if (set!.secret) {
                expect(SECRET_KEY_NAMES as string[], `${where(block)}: ${line}`).toContain(section);
            } else {
                expect(SECTION_NAMES as string[], `${where(block)}: ${line}`).toContain(section);
                expect(schemaAt(sectionsSchema, set!.key), `${where(block)}: ${line}`).toBeDefined();
            }
        }
    });

    it("every npm script and repository script it runs exists", () => {
        for (const block of commands) {
            for (const line of block.lines) {
                const npm = /npm run (?:--silent )?([\w:-]+)/.exec(line);
                if (npm) expect(Object.keys(scripts), `${where(block)}: ${line}`).toContain(npm[1]);
                const script = /(?:^|\s)\.?\/?(scripts\/[\w/-]+)/.exec(line);
                if (script) expect(existsSync(join(ROOT, script[1]!)), `${where(block)}: ${line}`).toBe(true);
            }
        }
    });

    it("the bootstrap commands make a configuration Slipway accepts", () => {
        const block = commands.find((b) => b.markers.block === "bootstrap")!;
        const sections: Record<string, unknown> = {};
        const entries: Record<string, RawEntry> = {};
        for (const line of block.lines) {
            const set = configSet(line);
            if (!set) continue;
            const raw = set.value ?? fileContent(set.from!);
            const value: unknown = set.type === "int" ? Number(raw) : set.type === "bool" ? raw === "true" : raw;
            if (set.secret) {
                entries[set.key[0] as string] = { value: raw, secret: true };
                continue;
            }
            // Nested objects, as `--path` builds them.
            let node = sections as Record<string | number, unknown>;
            set.key.forEach((k, i) => {
                if (i === set.key.length - 1) node[k] = value;
                else node = (node[k] ??= typeof set.key[i + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
            });
        }
        for (const [name, value] of Object.entries(sections)) entries[name] = { value: JSON.stringify(value), secret: false };
        const result = validateConfig({ entries, stack: "gamma" });
        expect(result.ok ? [] : formatProblems(result.problems)).toEqual([]);
    });

    describe("quotes Slipway's errors exactly", () => {
        const printed = (id: string) => {
            const block = blocks.find((b) => b.markers["printed-by"] === id);
            if (!block) throw new Error(`no block marked printed-by: ${id}`);
            return block.lines.join("\n");
        };
        const problems = (entries: Record<string, RawEntry>) => {
            const result = validateConfig({ entries, stack: "gamma" });
            if (result.ok) throw new Error("expected problems");
            return formatProblems(result.problems);
        };

        it("a configuration problem", () => {
            expect(printed("config-problems")).toBe(problems({ proxy: { value: "{}", secret: false }, tlsPrivateKey: { value: "KEY", secret: false } }));
        });

        it("a promotion without the site's key", () => {
            const promotion = [
                {
                    name: "web",
                    source: "registry.gamma.slipway.example.org/apps/web:staging",
                    target: "registry.gamma.slipway.example.org/apps/web:prod",
                    expectedRevision: "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f",
                },
            ];
            expect(printed("promotion-needs-key")).toBe(
                problems({
                    proxy: { value: JSON.stringify({ domain: "gamma.slipway.example.org" }), secret: false },
                    promotion: { value: JSON.stringify(promotion), secret: false },
                }),
            );
        });

        it("a producer too old for its consumer", () => {
            const older = {
                proxyNetwork: "proxy",
                proxyPingUrl: "https://proxy.gamma.slipway.example.org/ping",
                registryHost: "registry.gamma.slipway.example.org",
                registryUsername: "slipway",
                registryPassword: "x",
                ciUrl: "https://ci.gamma.slipway.example.org",
                ciMetricsToken: "x",
            };
            let message = "";
            try {
                parsePlatformOutputs("org/slipway/gamma", older);
            } catch (error) {
                message = (error as Error).message;
            }
            expect(printed("producer-too-old")).toBe(message);
        });
    });
});
