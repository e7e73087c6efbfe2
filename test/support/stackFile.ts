// Reads a committed Pulumi.<stack>.yaml into the raw form the runtime hands the program:
// structured values as JSON text, `secure:` values as secrets. Their ciphertext cannot be
// decrypted here (a site's operators hold its passphrase), so they carry a placeholder.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import type { RawEntry } from "../../config/validate";
import { ROOT } from "./prerequisites";

export const SECRET_PLACEHOLDER = "<encrypted in the stack file>";

const isSecure = (v: unknown): v is { secure: string } => typeof v === "object" && v !== null && "secure" in v;

export function readStackFile(stack: string): Record<string, RawEntry> {
    const file = load(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const entries: Record<string, RawEntry> = {};
    for (const [key, value] of Object.entries(file.config ?? {})) {
        const [namespace, name] = key.split(":");
        if (namespace !== "slipway" || !name) continue;
        entries[name] = isSecure(value)
            ? { value: SECRET_PLACEHOLDER, secret: true }
            : { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
    }
    return entries;
}
