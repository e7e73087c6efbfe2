// Validates the raw stack configuration and collects EVERY problem, each with the command
// that fixes it, so an operator fixes the whole stack file in one pass. Pure: the Pulumi
// adapter (config/) feeds it what the runtime holds. Secret values never reach a message.
import type { z } from "zod";
import { SECTION_NAMES, sectionsSchema, type SectionName } from "./schema";
import { SECRET_KEYS, SECRET_KEY_NAMES, secretActs, type SecretKeyName } from "./secrets";
import { docOf, kindOf, schemaAt } from "./walk";
import { removeCommand, renderPath, setCommands, setSecretCommand, stackArgs, type ConfigPath } from "./fix";
import { shellJoin } from "../lib/shell";

export const NAMESPACE = "slipway";

/** One config key as the runtime holds it: structured values arrive as JSON text. */
export interface RawEntry {
    value: string;
    secret: boolean;
}

export interface RawConfig {
    /** Keys of the `slipway` namespace, without the namespace. */
    entries: Readonly<Record<string, RawEntry>>;
    /** The stack, so fix commands can name it. */
    stack?: string;
}

export interface ConfigProblem {
    /** The full key and path, e.g. `slipway:host.endpoint`. */
    key: string;
    problem: string;
    fix: string;
}

export type Sections = z.output<typeof sectionsSchema>;
export type SlipwayConfig = Sections & { secrets: Partial<Record<SecretKeyName, string>> };

export type ValidationResult = { ok: true; config: SlipwayConfig } | { ok: false; problems: ConfigProblem[] };

const fullKey = (path: ConfigPath) => `${NAMESPACE}:${renderPath(path)}`;

export function validateConfig(raw: RawConfig): ValidationResult {
    const problems: ConfigProblem[] = [];
    const report = (path: ConfigPath, problem: string, fix: string) => problems.push({ key: fullKey(path), problem, fix });

    for (const key of Object.keys(raw.entries)) {
        if (!(SECTION_NAMES as string[]).includes(key) && !(SECRET_KEY_NAMES as string[]).includes(key)) {
            report([key], `is not a Slipway setting${suggest(key)}`, removeCommand([key], raw.stack));
        }
    }

    const sections: Partial<Sections> = {};
    for (const name of SECTION_NAMES) {
        const parsed = parseSection(name, raw, report);
        if (parsed !== undefined) (sections as Record<string, unknown>)[name] = parsed;
    }

    checkSecrets(raw, sections, report);
    checkEngines(sections, raw.stack, report);
    checkForge(sections, raw.stack, report);
    checkPromotions(sections, raw.stack, report);
    checkWorkers(sections, raw.stack, report, !!raw.entries.sshPrivateKey);
    checkInert(raw, sections, report);

    if (problems.length > 0 || Object.keys(sections).length !== SECTION_NAMES.length) return { ok: false, problems };
    const secrets: SlipwayConfig["secrets"] = {};
    for (const name of SECRET_KEY_NAMES) {
        const entry = raw.entries[name];
        if (entry) secrets[name] = entry.value;
    }
    return { ok: true, config: { ...(sections as Sections), secrets } };
}

type Report = (path: ConfigPath, problem: string, fix: string) => void;

/**
 * The schema names engines a site may want; only these can be built here (the Go module proxy
 * serves no version of zot, Drone or Gitea's act_runner, probed), so the others are refused.
 */
const BUILDABLE = { registry: "distribution", ci: "woodpecker" } as const;

function checkEngines(sections: Partial<Sections>, stack: string | undefined, report: Report): void {
    for (const section of ["registry", "ci"] as const) {
        const engine = sections[section]?.engine;
        if (engine === undefined || engine === BUILDABLE[section]) continue;
        report(
            [section, "engine"],
            `"${engine}" cannot run here: no version of it can be built from the Go module proxy; use "${BUILDABLE[section]}"`,
            setCommands([section, "engine"], BUILDABLE[section], stack).join(" && "),
        );
    }
}

/** A forge is reached with the OAuth client registered there: its id here, its secret a secret (checkSecrets). */
function checkForge(sections: Partial<Sections>, stack: string | undefined, report: Report): void {
    const ci = sections.ci;
    if (ci?.forgeUrl && !ci.oauthClientId)
        report(
            ["ci", "oauthClientId"],
            "is required because ci.forgeUrl is set (the CI server logs in through the forge's OAuth)",
            fixFor(["ci", "oauthClientId"], stack),
        );
    // One CI logs in with one forge: the platform's own, or the external one ci.forgeUrl names.
    if (ci?.forgeUrl && sections.forge?.engine === "gitea") {
        report(
            ["ci", "forgeUrl"],
            "names an external forge, but forge.engine gitea runs the platform's own, which the CI logs in with",
            `${removeCommand(["ci", "forgeUrl"], stack)} && ${removeCommand(["ci", "oauthClientId"], stack)}, or ${setCommands(["forge", "engine"], "none", stack).join(" && ")}`,
        );
    }
}

/**
 * A promotion that requires a signature verifies it with the site's key: the key CI signs with,
 * which a key this stack generated cannot be (no CI holds it).
 */
function checkPromotions(sections: Partial<Sections>, stack: string | undefined, report: Report): void {
    if (!sections.promotion || !sections.signing || sections.signing.publicKey) return;
    sections.promotion.forEach((p, i) => {
        if (p.requireSignature) {
            report(
                ["promotion", i, "requireSignature"],
                `is true but no signing.publicKey says which key the signature must verify with`,
                `${shellJoin(["pulumi", "config", "set", ...stackArgs(stack), "--path", "signing.publicKey"])} < cosign.pub (the public key CI signs with), or ${setCommands(["promotion", i, "requireSignature"], false, stack).join(" && ")}`,
            );
        }
    });
}

/**
 * The host of an `ssh://user@host[:port]` endpoint the schema accepted. Read by pattern, not by
 * `new URL`, which throws on what the schema lets through (a port above 65535, `<`, `^` or `]` in
 * the host): validation reports problems, it never throws.
 */
const sshHost = (endpoint: string) => /^ssh:\/\/[^@\s]+@([^\s:/]+)/.exec(endpoint)?.[1] ?? endpoint;

/** Workers are reached over SSH with strict host key checking: their host keys must be known. */
function checkWorkers(sections: Partial<Sections>, stack: string | undefined, report: Report, keySet: boolean): void {
    const host = sections.host;
    // SSH with the stack's key checks host keys strictly: the manager's too, when the key reaches it.
    const managerByKey = keySet && host?.endpoint.startsWith("ssh://");
    if (!host || (!host.workers.length && !managerByKey) || host.knownHosts) return;
    const hosts = [...(managerByKey ? [sshHost(host.endpoint)] : []), ...host.workers.map((w) => sshHost(w.endpoint))].join(" ");
    report(
        ["host", "knownHosts"],
        "is required to reach the hosts over SSH with the sshPrivateKey secret (their host keys are checked)",
        `ssh-keyscan ${hosts} > known_hosts && ${shellJoin(["pulumi", "config", "set", ...stackArgs(stack), "--path", "host.knownHosts"])} < known_hosts`,
    );
}

/** Parses one section on its own, so a broken section does not hide problems in the others. */
function parseSection(name: SectionName, raw: RawConfig, report: Report): unknown {
    const schema = sectionsSchema.shape[name];
    const entry = raw.entries[name];
    let input: unknown = undefined;
    if (entry) {
        try {
            input = JSON.parse(entry.value);
        } catch {
            // A plain string where an object belongs: `pulumi config set host foo` instead of --path.
            // `--path` cannot write into a string, so the key goes first.
            const rebuild = fixFor([name], raw.stack);
            const fix = rebuild.startsWith("pulumi config rm") ? rebuild : `${removeCommand([name], raw.stack)} && ${rebuild}`;
            report([name], "must be structured configuration (an object or a list), not a plain string", fix);
            return undefined;
        }
    }
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
        const path: ConfigPath = [name, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
        report(path, describeIssue(issue), fixFor(path, raw.stack));
    }
    return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type" && issue.message.includes("received undefined")) return "is required";
    if (issue.code === "invalid_union" && issue.message.includes("discriminator")) return issue.message.replace(/^Invalid input/, "has no valid `kind`");
    return issue.message.replace(/^Invalid input: /, "");
}

/** The commands that set an example value at `path`, or remove it when nothing is documented. */
function fixFor(path: ConfigPath, stack: string | undefined): string {
    const schema = schemaAt(sectionsSchema, path);
    const doc = schema && docOf(schema);
    if (!schema || !doc) return removeCommand(path, stack);
    // Strings are taken as written; numbers, booleans and containers are JSON in the docs.
    const example: unknown = kindOf(schema) === "string" ? doc.example : safeJson(doc.example);
    return setCommands(path, example, stack).join(" && ");
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * Settings that act only beside another one: set alone, they would be validated and then
 * ignored, which an operator cannot tell from working. Refused, with the setting they need.
 */
const NEEDS: Array<{ path: ConfigPath; actsWhen: (s: Sections) => boolean; because: string }> = [
    {
        path: ["proxy", "caCertificate"],
        actsWhen: (s) => !!s.proxy.certificate,
        because: "it is the CA of proxy.certificate, which is not set (without it the stack issues its own CA)",
    },
    { path: ["ci", "oauthClientId"], actsWhen: (s) => !!s.ci.forgeUrl, because: "it is the OAuth client at ci.forgeUrl, which is not set" },
    {
        path: ["signing", "publicKey"],
        actsWhen: (s) => s.diskImages.length > 0 || s.promotion.some((p) => p.requireSignature),
        because: "it signs disk images and verifies promotions that require a signature, and there are neither",
    },
    {
        path: ["forge", "adminUser"],
        actsWhen: (s) => s.forge.engine === "gitea",
        because: "it names the administrator of the platform's forge, and forge.engine is not gitea",
    },
    {
        path: ["forge", "passwordRotation"],
        actsWhen: (s) => s.forge.engine === "gitea",
        because: "it rotates the password of the platform's forge, and forge.engine is not gitea",
    },
    {
        path: ["host", "knownHosts"],
        actsWhen: (s) => s.host.workers.length > 0 || s.host.endpoint.startsWith("ssh://"),
        because: "it holds the host keys of an ssh:// manager and of host.workers, and there are neither",
    },
];

function checkInert(raw: RawConfig, sections: Partial<Sections>, report: Report): void {
    const parsed = sections as Sections;
    for (const rule of NEEDS) {
        const [section, field] = rule.path as [SectionName, string];
        if (!sections[section] || (sections[section] as Record<string, unknown>)[field] === undefined) continue;
        if (!actsWhen(rule.actsWhen, parsed)) report(rule.path, `is set but does nothing: ${rule.because}`, removeCommand(rule.path, raw.stack));
    }
    // A secret acts exactly when the configuration requires it.
    for (const name of SECRET_KEY_NAMES) {
        const entry = raw.entries[name];
        if (!entry?.secret || entry.value.trim() === "" || !sectionsParsed(sections)) continue; // judged only against a configuration that parsed
        if (actsWhen((x) => secretActs(name, x), sections as Sections)) continue;
        report([name], `is set but does nothing in this configuration (${SECRET_KEYS[name].description})`, removeCommand([name], raw.stack));
    }
}

function actsWhen(predicate: (s: Sections) => boolean, sections: Sections): boolean {
    try {
        return predicate(sections);
    } catch {
        return true; // depends on a section that is itself broken, and reported
    }
}

const sectionsParsed = (sections: Partial<Sections>) => SECTION_NAMES.every((name) => sections[name] !== undefined);

function checkSecrets(raw: RawConfig, sections: Partial<Sections>, report: Report): void {
    for (const name of SECRET_KEY_NAMES) {
        const entry = raw.entries[name];
        const spec = SECRET_KEYS[name];
        const fix = setSecretCommand(name, spec.source, raw.stack);
        if (entry && !entry.secret) {
            report([name], "is stored in plaintext; it must be a Pulumi secret (rotate it if the stack file was ever shared)", fix);
        } else if (entry && entry.value.trim() === "") {
            report([name], "is empty", fix);
        } else if (!entry) {
            const because = requiredBecause(name, sections);
            if (because) report([name], `is required because ${because} (${spec.description})`, fix);
        }
    }
}

/** Whether a secret is required, judged only from sections that parsed. */
function requiredBecause(name: SecretKeyName, sections: Partial<Sections>): string | undefined {
    try {
        return SECRET_KEYS[name].requiredBecause(sections as Sections);
    } catch {
        return undefined; // it depends on a section that is itself broken, and reported
    }
}

function suggest(key: string): string {
    const known = [...SECTION_NAMES, ...SECRET_KEY_NAMES];
    const close = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
    return close ? ` (did you mean \`${NAMESPACE}:${close}\`?)` : ` (known keys: ${known.join(", ")})`;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length]!;
}

/** The one message an operator reads: every problem, each with its fix. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => `  - ${p.key} ${p.problem}\n      fix: ${p.fix}`);
    const noun = problems.length === 1 ? "problem" : "problems";
    return `Slipway's stack configuration has ${problems.length} ${noun}:\n${lines.join("\n")}`;
}
