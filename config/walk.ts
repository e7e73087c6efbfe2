// Reads the documentation zod `.meta()` carries, by path, through the wrappers zod puts
// around a field (optional, default, …). Used for fix commands and for the docs test.
import type { z } from "zod";
import type { FieldDoc } from "./schema";

type Schema = z.ZodType;
type Def = { type: string; innerType?: Schema; shape?: Record<string, Schema>; element?: Schema; valueType?: Schema; options?: Schema[] };

const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The field's own documentation, looking through wrappers. */
export function docOf(schema: Schema): FieldDoc | undefined {
    for (let s: Schema | undefined = schema; s; s = defOf(s).innerType) {
        const meta = s.meta();
        if (meta?.description && meta.example !== undefined) return meta as FieldDoc;
    }
    return undefined;
}

/** The schema with optional/default/… wrappers removed. */
export function unwrap(schema: Schema): Schema {
    let s = schema;
    while (defOf(s).innerType) s = defOf(s).innerType as Schema;
    return s;
}

/** The scalar kind of a field, or "container" for objects, records and arrays. */
export function kindOf(schema: Schema): "string" | "number" | "boolean" | "container" {
    const type = defOf(unwrap(schema)).type;
    if (type === "number") return "number";
    if (type === "boolean") return "boolean";
    if (["object", "record", "array", "union"].includes(type)) return "container";
    return "string";
}

/** The schema of the field at `path` (numbers index arrays), or undefined past a leaf. */
export function schemaAt(schema: Schema, path: readonly PropertyKey[]): Schema | undefined {
    let s: Schema | undefined = schema;
    for (const segment of path) {
        if (!s) return undefined;
        const def = defOf(unwrap(s));
        if (def.type === "object") s = def.shape?.[String(segment)];
        else if (def.type === "array") s = def.element;
        else if (def.type === "record") s = def.valueType;
        else if (def.type === "union") s = def.options?.map((o) => defOf(unwrap(o)).shape?.[String(segment)]).find(Boolean);
        else return undefined;
    }
    return s;
}

/** Every documented leaf and container under `schema`, as dotted paths (`[]` for array items). */
export function documentedPaths(schema: Schema, prefix = ""): Array<{ path: string; doc: FieldDoc }> {
    const out: Array<{ path: string; doc: FieldDoc }> = [];
    const doc = docOf(schema);
    if (doc && prefix) out.push({ path: prefix, doc });
    const def = defOf(unwrap(schema));
    const children: Array<[string, Schema]> =
        def.type === "object"
            ? Object.entries(def.shape ?? {}).map(([k, v]) => [`${prefix}.${k}`, v])
            : def.type === "array" && def.element
              ? [[`${prefix}[]`, def.element]]
              : def.type === "union"
                ? (def.options ?? []).flatMap((o) => Object.entries(defOf(unwrap(o)).shape ?? {}).map(([k, v]): [string, Schema] => [`${prefix}.${k}`, v]))
                : [];
    const seen = new Set(out.map((o) => o.path));
    for (const [path, child] of children) {
        for (const entry of documentedPaths(child, path)) {
            if (seen.has(entry.path)) continue;
            out.push(entry);
            seen.add(entry.path);
        }
    }
    return out;
}
