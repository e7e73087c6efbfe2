// Trusted roots: the caller's, checked before use, or the Sigstore public-good root that the
// @sigstore/tuf package ships in its seeds (offline: no TUF refresh, no network).
import { readFileSync } from "node:fs";

interface ValidFor {
    start?: string;
    end?: string;
}
interface RootKeyed {
    baseUrl?: string;
    publicKey?: { validFor?: ValidFor };
    validFor?: ValidFor;
}
export interface TrustedRootJson {
    mediaType?: string;
    tlogs?: RootKeyed[];
    ctlogs?: RootKeyed[];
    certificateAuthorities?: RootKeyed[];
    timestampAuthorities?: RootKeyed[];
}

/** A trusted root that cannot be used: not JSON, not shaped like one, or unsafe (below). */
export class TrustedRootError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TrustedRootError";
    }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** trusted_root.json text, parsed and checked (checkTrustedRoot). */
export function parseTrustedRoot(text: string): TrustedRootJson {
    let root: unknown;
    try {
        root = JSON.parse(text);
    } catch (error) {
        throw new TrustedRootError(`the trusted root is not JSON (${(error as Error).message})`);
    }
    checkTrustedRoot(root as TrustedRootJson);
    return root as TrustedRootJson;
}

/**
 * Rejects a trusted root that is not shaped like one (its lists are lists of objects), or whose
 * transparency-log or CT-log key has no validity start: such a key would be trusted for every
 * time, and sigstore-js accepts it (the conformance case trust-root-tlog-missing-validity-start_fail).
 */
export function checkTrustedRoot(root: TrustedRootJson): void {
    const value: unknown = root;
    if (!isObject(value)) throw new TrustedRootError("the trusted root is not a JSON object");
    for (const field of ["tlogs", "ctlogs", "certificateAuthorities", "timestampAuthorities"] as const) {
        const list = value[field];
        if (list !== undefined && (!Array.isArray(list) || !list.every(isObject)))
            throw new TrustedRootError(`the trusted root's ${field} is not a list of objects`);
    }
    for (const [kind, logs] of [
        ["transparency log", root.tlogs],
        ["certificate transparency log", root.ctlogs],
    ] as const) {
        for (const log of logs ?? []) {
            const start: unknown = log.publicKey?.validFor?.start;
            if (!start || typeof start !== "string")
                throw new TrustedRootError(
                    `the trusted root's ${kind} ${typeof log.baseUrl === "string" ? log.baseUrl : "(no baseUrl)"} has a key with no validity start`,
                );
        }
    }
}

/** The public-good trusted root from @sigstore/tuf's seeds, as of that package's release. */
export function publicGoodTrustedRoot(): TrustedRootJson {
    const seeds = JSON.parse(readFileSync(require.resolve("@sigstore/tuf/seeds.json"), "utf8")) as Record<string, { targets: Record<string, string> }>;
    const target = seeds["https://tuf-repo-cdn.sigstore.dev"]?.targets["trusted_root.json"];
    if (!target) throw new Error("@sigstore/tuf's seeds carry no trusted_root.json for the public-good instance");
    return JSON.parse(Buffer.from(target, "base64").toString("utf8")) as TrustedRootJson;
}
