// validateConfig over the committed stack files' entries, mutated, plus entries generated from
// nothing. Its contract: it never throws, it returns either a config or at least one problem,
// each naming a slipway: key with a problem and a fix, and no secret value ever reaches a message.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { SECRET_KEY_NAMES } from "../../../config/secrets";
import { SECTION_NAMES } from "../../../config/schema";
import { formatProblems, validateConfig, type RawEntry } from "../../../config/validate";
import type { FuzzTarget, Outcome } from "../harness";
import { DICTIONARY, jsonValueArb, mutateText, mutationArb, type Json, type Mutation } from "../mutate";
import { REPO } from "../seeds";

const STACKS = ["gamma", "local"];
const SECRET = "S3CRET-fuzz-value-";

/** A committed stack file's slipway entries as the runtime hands them over; secrets get a recognisable value. */
function stackEntries(stack: string): Record<string, RawEntry> {
    const file = load(readFileSync(join(REPO, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const entries: Record<string, RawEntry> = {};
    for (const [key, value] of Object.entries(file.config ?? {})) {
        const [namespace, name] = key.split(":");
        if (namespace !== "slipway" || !name) continue;
        const secure = typeof value === "object" && value !== null && "secure" in value;
        entries[name] = secure
            ? { value: `${SECRET}${name}`, secret: true }
            : { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
    }
    return entries;
}

type EntryEdit =
    | { key: number; kind: "mutate"; mutation: Mutation }
    | { key: number; kind: "remove" }
    | { key: number; kind: "flip-secret" }
    | { key: string; kind: "set"; value: Json | string; secret: boolean }
    | { key: "host"; kind: "host"; value: Json };

/** SSH endpoints built from parts, right and wrong: what the host section's checks turn into commands. */
const sshEndpointArb = fc
    .tuple(
        fc.constantFrom("deploy", "root", "a/b", "u%zz"),
        fc.oneof(
            fc.constantFrom("203.0.113.11", "w1.example.org", "localhost"),
            fc
                .tuple(fc.constantFrom("w1.example.org", "203.0.113.11"), fc.nat(), fc.constantFrom(...DICTIONARY))
                .map(([h, at, t]) => h.slice(0, at % (h.length + 1)) + t + h.slice(at % (h.length + 1))),
        ),
        fc.constantFrom("", ":22", ":2222", ":99999", ":65536", ":0"),
    )
    .map(([user, host, port]) => `ssh://${user}@${host}${port}`);
const hostSectionArb: fc.Arbitrary<Json> = fc.record(
    {
        endpoint: fc.oneof(fc.constant("unix:///var/run/docker.sock"), sshEndpointArb),
        workers: fc.array(fc.record({ name: fc.constantFrom("w1", "w2", "builder-1"), endpoint: sshEndpointArb }), { maxLength: 2 }),
        knownHosts: fc.constant("203.0.113.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK6"),
    },
    { requiredKeys: [] },
);

/** An entry's text mutated: as JSON when it is JSON, else as the string it is (a plain or secret value). */
function mutateValue(value: string, mutation: Mutation): string {
    try {
        JSON.parse(value);
    } catch {
        const mutated = JSON.parse(
            mutateText(Buffer.from(JSON.stringify(value)), mutation.kind === "bytes" ? { kind: "identity" } : mutation).toString("utf8"),
        ) as Json;
        return mutation.kind === "bytes"
            ? mutateText(Buffer.from(value), mutation).toString("utf8")
            : typeof mutated === "string"
              ? mutated
              : JSON.stringify(mutated);
    }
    return mutateText(Buffer.from(value), mutation).toString("utf8");
}

interface ConfigCase {
    stack: number;
    edits: EntryEdit[];
}

const KNOWN = [...SECTION_NAMES, ...SECRET_KEY_NAMES] as string[];

const editArb: fc.Arbitrary<EntryEdit> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ key: fc.nat(), kind: fc.constant("mutate" as const), mutation: mutationArb }) },
    fc.record({ key: fc.nat(), kind: fc.constant("remove" as const) }),
    fc.record({ key: fc.nat(), kind: fc.constant("flip-secret" as const) }),
    {
        weight: 2,
        arbitrary: fc.record({
            key: fc.oneof(fc.constantFrom(...KNOWN), fc.constantFrom("Host", "hots", "__proto__", "constructor", "toString", ""), fc.string({ maxLength: 10 })),
            kind: fc.constant("set" as const),
            value: fc.oneof(jsonValueArb, fc.string({ unit: "binary", maxLength: 30 })),
            secret: fc.boolean(),
        }),
    },
    { weight: 2, arbitrary: fc.record({ key: fc.constant("host" as const), kind: fc.constant("host" as const), value: hostSectionArb }) },
);

export const stackConfig: FuzzTarget<ConfigCase> = (() => {
    let seeds: Array<Record<string, RawEntry>> = [];
    return {
        name: "stack config (validateConfig)",
        about: "the entries of Pulumi.gamma.yaml and Pulumi.local.yaml (secrets given recognisable values), each entry's JSON mutated, removed, made (non-)secret; entries set to generated values under known, near-miss and odd keys; host sections built from right and wrong SSH endpoints",
        arbitrary() {
            seeds = STACKS.map(stackEntries);
            return fc.record({ stack: fc.nat(), edits: fc.array(editArb, { minLength: 0, maxLength: 4 }) });
        },
        run(input): Outcome {
            const entries: Record<string, RawEntry> = { ...seeds[input.stack % seeds.length]! };
            for (const edit of input.edits) {
                const keys = Object.keys(entries);
                if (edit.kind === "host") {
                    entries.host = { value: JSON.stringify(edit.value), secret: false };
                    continue;
                }
                if (edit.kind === "set") {
                    const secretKey = edit.secret || (SECRET_KEY_NAMES as string[]).includes(edit.key);
                    const value =
                        typeof edit.value === "string" && secretKey
                            ? `${SECRET}${edit.value}`
                            : typeof edit.value === "string"
                              ? edit.value
                              : JSON.stringify(edit.value);
                    Object.defineProperty(entries, edit.key, { value: { value, secret: edit.secret }, enumerable: true, configurable: true, writable: true });
                    continue;
                }
                if (keys.length === 0) continue;
                const key = keys[edit.key % keys.length]!;
                const entry = entries[key]!;
                if (edit.kind === "remove") delete entries[key];
                else if (edit.kind === "flip-secret") entries[key] = { ...entry, secret: !entry.secret };
                else entries[key] = { ...entry, value: mutateValue(entry.value, edit.mutation) };
            }
            const result = validateConfig({ entries, stack: "fuzz" });
            if (result.ok) return { accept: "valid config" };
            if (result.problems.length === 0) return { falseAccept: "refused with no problem listed" };
            const bad = result.problems.find((p) => !p.key.startsWith("slipway:") || !p.problem || !p.fix);
            if (bad) return { falseAccept: `a problem without key, text or fix: ${JSON.stringify(bad).slice(0, 80)}` };
            const message = formatProblems(result.problems);
            // A secret's value never reaches a message (unless the operator also wrote it in plain text elsewhere).
            const plain = Object.entries(entries)
                .filter(([k, e]) => !e.secret && !(SECRET_KEY_NAMES as string[]).includes(k))
                .map(([, e]) => e.value)
                .join("\n");
            // Only values still carrying the marker are judged: a mutation can cut a secret down to text any message holds (a key name).
            const leaked = Object.entries(entries).find(
                ([k, e]) =>
                    (e.secret || (SECRET_KEY_NAMES as string[]).includes(k)) &&
                    e.value.includes(SECRET) &&
                    message.includes(e.value) &&
                    !plain.includes(e.value),
            );
            if (leaked) return { falseAccept: `the value of ${leaked[0]} appears in the problems` };
            const first = result.problems[0]!.problem.replace(/"[^"]*"|`[^`]*`/g, "…")
                .replace(/\d+/g, "N")
                .slice(0, 50);
            return { reject: `${result.problems.length > 1 ? "several problems, first: " : ""}${first}` };
        },
        typed: (_error): _error is Error => false,
    };
})();
