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

/**
 * Rejects a trusted root whose transparency-log or CT-log key has no validity start: such a
 * key would be trusted for every time, and sigstore-js accepts it (the conformance case
 * trust-root-tlog-missing-validity-start_fail).
 */
export function checkTrustedRoot(root: TrustedRootJson): void {
    if (!root || typeof root !== "object") throw new Error("the trusted root is not a JSON object");
    for (const [kind, logs] of [["transparency log", root.tlogs], ["certificate transparency log", root.ctlogs]] as const) {
        for (const log of logs ?? []) {
            if (!log.publicKey?.validFor?.start) throw new Error(`the trusted root's ${kind} ${log.baseUrl ?? "(no baseUrl)"} has a key with no validity start`);
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
