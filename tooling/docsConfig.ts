// Rewrites the generated `config:` block of Pulumi.yaml from the schema (`npm run docs:config`).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_BEGIN, CONFIG_END, renderConfigDocs } from "../config/docs";

// npm runs scripts from the package root.
const file = resolve("Pulumi.yaml");
const text = readFileSync(file, "utf8");
const start = text.indexOf(CONFIG_BEGIN);
const end = text.indexOf(CONFIG_END);
if (start < 0 || end < 0) throw new Error(`Pulumi.yaml has no generated config block (${CONFIG_BEGIN})`);
writeFileSync(file, text.slice(0, start) + renderConfigDocs() + text.slice(end + CONFIG_END.length));
console.log("Pulumi.yaml: config block regenerated");
