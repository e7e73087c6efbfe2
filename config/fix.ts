// Renders the exact `pulumi config` commands that put a value at a config path. Objects and
// arrays become one `--path` command per leaf, because `pulumi config set` takes scalars only.
import { shellJoin } from "../lib/shell";

export type ConfigPath = ReadonlyArray<string | number>;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Renders a path in Pulumi's property-path syntax: `host.labels["slipway.ingress"]`, `workers[0]`. */
export function renderPath(path: ConfigPath): string {
    return path
        .map((seg, i) => {
            if (typeof seg === "number") return `[${seg}]`;
            if (IDENT.test(seg)) return i === 0 ? seg : `.${seg}`;
            return `[${JSON.stringify(seg)}]`;
        })
        .join("");
}

export function stackArgs(stack: string | undefined): string[] {
    return stack ? ["--stack", stack] : [];
}

/** `pulumi config set --path …` for every leaf of `value`; an empty container removes the key instead. */
export function setCommands(path: ConfigPath, value: unknown, stack?: string): string[] {
    if (Array.isArray(value) || (value !== null && typeof value === "object")) {
        const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
        if (entries.length === 0) return [removeCommand(path, stack)];
        return entries.flatMap(([k, v]) => setCommands([...path, k], v, stack));
    }
    // With --path, pulumi turns text like `true` or `80` into a boolean or number: say what is meant.
    const looksTyped = typeof value === "string" && /^(true|false|-?\d+(\.\d+)?)$/.test(value);
    const type = typeof value === "number" ? ["--type", "int"] : typeof value === "boolean" ? ["--type", "bool"] : looksTyped ? ["--type", "string"] : [];
    // A value starting with "-" (a PEM) would be read as a flag: `--` ends the flags first.
    const endFlags = String(value).startsWith("-") ? ["--"] : [];
    return [shellJoin(["pulumi", "config", "set", ...stackArgs(stack), "--path", ...type, renderPath(path), ...endFlags, String(value)])];
}

/** `pulumi config rm` for a path (a whole key when the path has one segment). */
export function removeCommand(path: ConfigPath, stack?: string): string {
    const pathFlag = path.length > 1 ? ["--path"] : [];
    return shellJoin(["pulumi", "config", "rm", ...stackArgs(stack), ...pathFlag, renderPath(path)]);
}

/** `pulumi config set --secret <key> <source>`: the source (e.g. `< key.pem`) is shell syntax, kept as is. */
export function setSecretCommand(key: string, source: string, stack?: string): string {
    return `${shellJoin(["pulumi", "config", "set", ...stackArgs(stack), "--secret", key])} ${source}`;
}
