// Renders the `config:` block of Pulumi.yaml from the schema: each section declared with its
// type and an empty default (the engine treats a declared key without a default as required,
// which would pre-empt Slipway's own all-problems-at-once report), and every field documented
// with its default. A unit test keeps Pulumi.yaml equal to this output.
import { SECTION_NAMES, sectionsSchema } from "./schema";
import { SECRET_KEYS, SECRET_KEY_NAMES } from "./secrets";
import { docOf, documentedPaths, schemaAt, unwrap } from "./walk";

export const CONFIG_BEGIN = "# --- config: generated from config/schema.ts by `npm run docs:config`; do not edit ---";
export const CONFIG_END = "# --- end of generated config ---";

/** " (required)", " [default: …]", or nothing (optional), for a documented path such as `diskImages[].retention`. */
export function defaultOf(path: string): string {
    // `[]` is a step into the array's element: any index reaches the element's schema.
    const segments = path.replace(/\[\]/g, ".0").split(".");
    const schema = schemaAt(sectionsSchema, segments);
    const parsed = schema?.safeParse(undefined);
    if (!parsed?.success) return " (required)";
    return parsed.data !== undefined ? ` [default: ${JSON.stringify(parsed.data)}]` : "";
}

export function renderConfigDocs(): string {
    const lines = [CONFIG_BEGIN, "config:"];
    for (const name of SECTION_NAMES) {
        const schema = sectionsSchema.shape[name];
        const isArray = (unwrap(schema) as unknown as { _zod: { def: { type: string } } })._zod.def.type === "array";
        const fieldPath = isArray ? `${name}[<index>].<field>` : `${name}.<field>`;
        lines.push(`  # ${docOf(schema)?.description}. Set fields with \`pulumi config set --path '${fieldPath}' <value>\`:`);
        for (const { path, doc } of documentedPaths(schema, name).filter((p) => p.path !== name)) {
            lines.push(`  #   ${path}: ${doc.description}${defaultOf(path)}`);
        }
        lines.push(`  ${name}:`);
        lines.push(`    type: ${isArray ? "array" : "object"}`);
        if (isArray) lines.push("    items:", "      type: object");
        lines.push(`    description: ${JSON.stringify(docOf(schema)?.description)}`);
        lines.push(`    default: ${isArray ? "[]" : "{}"}`);
    }
    lines.push("  # Secrets: top-level keys of their own, always set with --secret; a plaintext value is an");
    lines.push("  # error. Not declared here because the engine would then require them on every stack.");
    for (const name of SECRET_KEY_NAMES) {
        lines.push(`  #   ${name}: ${SECRET_KEYS[name].description} (pulumi config set --secret ${name} ${SECRET_KEYS[name].source})`);
    }
    lines.push(CONFIG_END);
    return lines.join("\n");
}
