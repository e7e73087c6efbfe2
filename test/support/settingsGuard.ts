// The guard behind "a setting is acted on or refused with its fix": for every leaf key of the
// config schema (and every secret), a changed value from a table is applied to a baseline stack
// config, and the program must either declare a different resource graph or different inputs,
// or validateConfig must refuse the stack with a fix. A key the table does not cover is a
// finding too, so a new key cannot land without its author showing what it does.
import type { z } from "zod";
import type { ConfigProblem, RawEntry } from "../../config/validate";
import { documentedPaths } from "../../config/walk";

/** A stack config as an operator writes it: section objects, and secrets as plain strings. */
export type StackConfig = Record<string, unknown>;

/** What the program made of a config: a refusal, or the resources it declared (each with its inputs, as text). */
export type Outcome = { refused: ConfigProblem[] } | { resources: string[] };

export type Program = (entries: Record<string, RawEntry>) => Promise<Outcome>;

/** The changed value of one key; `context` is set first, in the baseline too, where the key acts only along with it. */
export interface Change {
    value: unknown;
    context?: Record<string, unknown>;
}

export interface Guard {
    /** The sections' schema (config/schema sectionsSchema): its leaves, and what a valid value is. */
    schema: z.ZodObject;
    /** Names of the secret keys (config/secrets). */
    secrets: readonly string[];
    table: Readonly<Record<string, Change>>;
    baseline: StackConfig;
    program: Program;
}

export interface Finding {
    key: string;
    reason: string;
}

/**
 * Every leaf: a documented path with no documented path below it (`[]` for array items; a
 * record or a list of scalars is one leaf), and each secret.
 */
export function leafKeys(schema: z.ZodObject, secrets: readonly string[]): string[] {
    const paths = Object.entries(schema.shape).flatMap(([name, section]) => [name, ...documentedPaths(section as z.ZodType, name).map((p) => p.path)]);
    const leaves = paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`) || q.startsWith(`${p}[]`)));
    return [...new Set(leaves), ...secrets];
}

/** The keys that change nothing (or whose table entry proves nothing), with why. */
export async function keysThatDoNothing(guard: Guard, keys = leafKeys(guard.schema, guard.secrets)): Promise<Finding[]> {
    const findings: Finding[] = [];
    const outcomes = new Map<string, Outcome>();
    const outcomeOf = async (config: StackConfig) => {
        const entries = rawEntries(config, guard.secrets);
        const id = JSON.stringify(entries);
        if (!outcomes.has(id)) outcomes.set(id, await guard.program(entries));
        return outcomes.get(id)!;
    };
    for (const key of keys) {
        const change = guard.table[key];
        if (!change) {
            findings.push({ key, reason: "has no entry in the table: add a changed value that shows what it does" });
            continue;
        }
        const before = applyAll(guard.baseline, change.context ?? {});
        const after = withValue(before, key, change.value);
        const invalid = [before, after].map((c) => schemaProblems(guard.schema, c)).find((p) => p.length > 0);
        if (invalid) {
            findings.push({ key, reason: `its table entry is not a valid config (${invalid.join("; ")}): the schema's own refusals prove nothing` });
            continue;
        }
        const base = await outcomeOf(before).catch((error: Error) => error);
        if (base instanceof Error || "refused" in base) {
            findings.push({
                key,
                reason: `its baseline is refused: ${base instanceof Error ? base.message : base.refused.map((p) => `${p.key} ${p.problem}`).join("; ")}`,
            });
            continue;
        }
        const changed = await outcomeOf(after).catch((error: Error) => error);
        if (changed instanceof Error) {
            // A refusal the program finds while declaring resources is not reported with the others.
            findings.push({ key, reason: `is refused outside validateConfig: ${changed.message}` });
            continue;
        }
        if ("refused" in changed) {
            const unfixed = changed.refused.filter((p) => !p.fix.trim());
            if (unfixed.length) findings.push({ key, reason: `is refused without a fix: ${unfixed.map((p) => p.key).join(", ")}` });
        } else if (JSON.stringify(changed.resources) === JSON.stringify(base.resources)) {
            findings.push({ key, reason: `set to ${JSON.stringify(change.value)}, changes no resource and no input, and is not refused` });
        }
    }
    return findings;
}

/** The raw entries the runtime would hand the program: sections as JSON text, secrets marked. */
export function rawEntries(config: StackConfig, secrets: readonly string[]): Record<string, RawEntry> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [
            key,
            secrets.includes(key) ? { value: String(value), secret: true } : { value: JSON.stringify(value), secret: false },
        ]),
    );
}

function schemaProblems(schema: z.ZodObject, config: StackConfig): string[] {
    return Object.entries(schema.shape).flatMap(([name, section]) => {
        const result = (section as z.ZodType).safeParse(config[name]);
        return result.success ? [] : result.error.issues.map((i) => `${[name, ...i.path].join(".")}: ${i.message}`);
    });
}

function applyAll(config: StackConfig, values: Record<string, unknown>): StackConfig {
    return Object.entries(values).reduce((c, [path, value]) => withValue(c, path, value), config);
}

/** A copy of `config` with `value` at `path` (`a.b[].c`: `[]` is the first item; undefined removes it). */
export function withValue(config: StackConfig, path: string, value: unknown): StackConfig {
    const copy = structuredClone(config);
    const segments = path.replace(/\[\]/g, ".0").split(".");
    let node = copy as Record<string, unknown>;
    for (const [i, segment] of segments.entries()) {
        if (i === segments.length - 1) {
            // undefined removes the key: a context can turn off what would otherwise be set for nothing.
            if (value === undefined) delete node[segment];
            else node[segment] = structuredClone(value);
            break;
        }
        node[segment] ??= /^\d+$/.test(segments[i + 1]!) ? [] : {};
        node = node[segment] as Record<string, unknown>;
    }
    return copy;
}
