// Mutations of real valid inputs, as data: fast-check generates (and shrinks) a list of
// operations, and applying them to a seed is deterministic, so a failing case prints as the
// seed's name plus a few readable operations. JSON operations pick a node by index into the
// tree's nodes (taken modulo their count); byte operations work on the serialised text.
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

export type JsonOp =
    /** The node becomes another value (a type confusion, a boundary number, random JSON). */
    | { op: "replace"; at: number; value: Json }
    | { op: "delete"; at: number }
    /** One bit of a string leaf flips: of its decoded bytes when it is base64 (signatures, certificates, keys), else of one character. */
    | { op: "flip"; at: number; bit: number }
    | { op: "truncate"; at: number; keep: number }
    | { op: "append"; at: number; text: string }
    | { op: "number"; at: number; delta: number }
    /** An array's element repeated, or an object's key renamed. */
    | { op: "duplicate"; at: number }
    | { op: "swap"; at: number; with: number }
    /** The node at the same path in another valid input of the same kind (a certificate from another bundle…). */
    | { op: "graft"; at: number; donor: number }
    /** A token from DICTIONARY inserted into a string leaf: the characters and numbers parsers trip on. */
    | { op: "splice"; at: number; pos: number; token: string; replace: boolean };

/** Fragments that are meaningful to the parsers under test (URLs, hosts, ports, paths, digests, JSON, times). */
export const DICTIONARY = [
    ":99999",
    ":65536",
    ":0",
    "<",
    ">",
    "^",
    "|",
    "%",
    "%zz",
    "@",
    "/",
    "../",
    "[",
    "]",
    "[::1]",
    "#",
    "?",
    " ",
    "\n",
    "\r",
    "\u0000",
    "\\",
    "..",
    "-",
    "_",
    "__",
    "+",
    ":",
    ";",
    ",",
    "=",
    '"',
    "'",
    "`",
    "$(",
    "sha256:",
    "sha512:",
    "T",
    "t",
    "Z",
    "z",
    "+05:30",
    "-00:00",
    ".5",
    ".123456789",
    "60",
    "99",
    "0",
    "-1",
    "1e308",
    "NaN",
    "null",
    "{}",
    "[]",
    "\u202e",
    "\ud800",
    "ﬀ",
    "İ",
    "K",
];

export type ByteOp =
    | { op: "set"; at: number; byte: number }
    | { op: "insert"; at: number; bytes: number[] }
    | { op: "cut"; at: number; length: number }
    | { op: "truncate"; at: number };

/** What happens to one seed: nothing (the identity), JSON operations, or byte operations on its text. */
export type Mutation = { kind: "identity" } | { kind: "json"; ops: JsonOp[] } | { kind: "bytes"; ops: ByteOp[] };

const BOUNDARY: Json[] = [
    null,
    true,
    false,
    0,
    -1,
    1,
    1.5,
    -0.5,
    2 ** 31,
    2 ** 53,
    -(2 ** 63),
    1e308,
    "",
    " ",
    "A",
    "0",
    "null",
    "sha256:",
    `sha256:${"0".repeat(64)}`,
    [],
    {},
    [null],
    { "": "" },
    "\u0000",
    "\ud83d\ude00",
    "a".repeat(300),
];

export const jsonValueArb: fc.Arbitrary<Json> = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);

const jsonOpArb: fc.Arbitrary<JsonOp> = fc.oneof(
    fc.record({ op: fc.constant("replace" as const), at: fc.nat(), value: jsonValueArb }),
    fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
    { weight: 3, arbitrary: fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat() }) },
    fc.record({ op: fc.constant("truncate" as const), at: fc.nat(), keep: fc.nat({ max: 64 }) }),
    fc.record({ op: fc.constant("append" as const), at: fc.nat(), text: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 4 }) }),
    fc.record({ op: fc.constant("number" as const), at: fc.nat(), delta: fc.constantFrom(1, -1, 1000, -1e9, 0.5) }),
    fc.record({ op: fc.constant("duplicate" as const), at: fc.nat() }),
    fc.record({ op: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
    { weight: 2, arbitrary: fc.record({ op: fc.constant("graft" as const), at: fc.nat(), donor: fc.nat() }) },
    {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant("splice" as const), at: fc.nat(), pos: fc.nat(), token: fc.constantFrom(...DICTIONARY), replace: fc.boolean() }),
    },
);

export const byteOpArb: fc.Arbitrary<ByteOp> = fc.oneof(
    fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }) }),
    fc.record({ op: fc.constant("cut" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 1, arbitrary: fc.constant({ kind: "identity" as const }) },
    { weight: 12, arbitrary: fc.record({ kind: fc.constant("json" as const), ops: fc.array(jsonOpArb, { minLength: 1, maxLength: 3 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("bytes" as const), ops: fc.array(byteOpArb, { minLength: 1, maxLength: 3 }) }) },
);

/** Every node of the tree, parents before children, the root first. */
export function nodePaths(value: Json, path: Path = [], out: Path[] = []): Path[] {
    out.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => nodePaths(v, [...path, i], out));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) nodePaths(v, [...path, k], out);
    return out;
}

export function getAt(value: Json, path: Path): Json | undefined {
    let node: Json | undefined = value;
    for (const p of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<string | number, Json>)[p];
    }
    return node;
}

/** Sets (or with `undefined`, removes) the node at `path`; the root is replaced by returning the new value. */
function setAt(root: Json, path: Path, value: Json | undefined): Json {
    if (path.length === 0) return value === undefined ? null : value;
    const parent = getAt(root, path.slice(0, -1));
    const key = path[path.length - 1]!;
    if (Array.isArray(parent)) {
        if (value === undefined) parent.splice(key as number, 1);
        else parent[key as number] = value;
    } else if (parent !== null && typeof parent === "object") {
        if (value === undefined) delete parent[key as string];
        else parent[key as string] = value;
    }
    return root;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One bit flipped: of the decoded bytes of a base64 string (so the result is still well-formed base64), else of one character. */
export function flipBit(text: string, bit: number): string {
    if (BASE64.test(text)) {
        const bytes = Buffer.from(text, "base64");
        const b = bit % (bytes.length * 8);
        bytes[b >> 3]! ^= 1 << (b & 7);
        return bytes.toString("base64");
    }
    if (text.length === 0) return "\u0001";
    const i = bit % text.length;
    return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << ((bit >> 8) % 7))) + text.slice(i + 1);
}

export function applyJsonOps(seed: Json, ops: readonly JsonOp[], donors: readonly Json[] = []): Json {
    let root = structuredClone(seed);
    for (const op of ops) {
        const paths = nodePaths(root);
        const path = paths[op.at % paths.length]!;
        const node = getAt(root, path)!;
        switch (op.op) {
            case "replace":
                root = setAt(root, path, structuredClone(op.value));
                break;
            case "delete":
                root = setAt(root, path, undefined);
                break;
            case "flip":
                if (typeof node === "string") root = setAt(root, path, flipBit(node, op.bit));
                else if (typeof node === "number") root = setAt(root, path, node + 1);
                else if (typeof node === "boolean") root = setAt(root, path, !node);
                break;
            case "truncate":
                if (typeof node === "string") root = setAt(root, path, node.slice(0, op.keep % (node.length + 1)));
                else if (Array.isArray(node)) node.length = op.keep % (node.length + 1);
                break;
            case "append":
                if (typeof node === "string") root = setAt(root, path, node + op.text);
                else if (Array.isArray(node)) node.push(op.text);
                else if (node !== null && typeof node === "object") node[op.text] = op.text;
                break;
            case "number":
                if (typeof node === "number") root = setAt(root, path, node + op.delta);
                else if (typeof node === "string" && /^-?\d+$/.test(node)) root = setAt(root, path, String(BigInt(node) + BigInt(Math.trunc(op.delta) || 1)));
                break;
            case "duplicate":
                if (Array.isArray(node) && node.length > 0) node.push(structuredClone(node[0]!));
                else if (node !== null && typeof node === "object" && !Array.isArray(node)) {
                    const key = Object.keys(node)[0];
                    if (key !== undefined) {
                        node[`${key}_`] = node[key]!;
                        delete node[key];
                    }
                }
                break;
            case "swap": {
                const other = paths[op.with % paths.length]!;
                // Only between disjoint nodes: swapping a node with its own ancestor makes a cycle.
                const prefix = (a: Path, b: Path) => a.length <= b.length && a.every((p, i) => p === b[i]);
                if (prefix(path, other) || prefix(other, path)) break;
                const a = structuredClone(node);
                const b = structuredClone(getAt(root, other)!);
                root = setAt(setAt(root, path, b), other, a);
                break;
            }
            case "splice":
                if (typeof node === "string") {
                    const pos = op.pos % (node.length + 1);
                    root = setAt(root, path, node.slice(0, pos) + op.token + node.slice(op.replace ? Math.min(node.length, pos + op.token.length) : pos));
                }
                break;
            case "graft": {
                const donor = donors.length ? getAt(donors[op.donor % donors.length]!, path) : undefined;
                if (donor !== undefined) root = setAt(root, path, structuredClone(donor));
                break;
            }
        }
    }
    return root;
}

export function applyByteOps(seed: Buffer, ops: readonly ByteOp[]): Buffer {
    let bytes = Buffer.from(seed);
    for (const op of ops) {
        const at = bytes.length ? op.at % bytes.length : 0;
        if (op.op === "set" && bytes.length) bytes[at] = op.byte;
        else if (op.op === "insert") bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(op.bytes), bytes.subarray(at)]);
        else if (op.op === "cut") bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + op.length)]);
        else if (op.op === "truncate") bytes = bytes.subarray(0, at);
    }
    return bytes;
}

/**
 * A seed's text after `mutation`: JSON operations re-serialise the tree (with the seed's own
 * serialisation when nothing changed, so the identity keeps its exact bytes).
 */
export function mutateText(seedText: Buffer, mutation: Mutation, donors: readonly Json[] = []): Buffer {
    if (mutation.kind === "identity") return seedText;
    if (mutation.kind === "bytes") return applyByteOps(seedText, mutation.ops);
    return Buffer.from(JSON.stringify(applyJsonOps(JSON.parse(seedText.toString("utf8")) as Json, mutation.ops, donors)));
}

/** JSON with sorted keys: two values are the same JSON exactly when their canonical texts are equal. */
export function canonical(value: unknown): string {
    return JSON.stringify(value, (_, v: unknown) =>
        v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    );
}

/** The top-level JSON paths where two values differ (for reports: which fields a passing mutation changed). */
export function differingPaths(a: unknown, b: unknown, path = "", out: string[] = [], depth = 3): string[] {
    if (canonical(a) === canonical(b)) return out;
    const objects = a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
    if (!objects || depth === 0) {
        out.push(path || "(root)");
        return out;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys)
        differingPaths(
            (a as Record<string, unknown>)[k],
            (b as Record<string, unknown>)[k],
            Array.isArray(a) ? `${path}[]` : path ? `${path}.${k}` : k,
            out,
            depth - 1,
        );
    return [...new Set(out)];
}
