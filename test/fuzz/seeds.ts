// The real valid inputs the fuzz targets mutate: the sigstore conformance vectors and the
// cosign signatures captured by cosignCapture.ts. Paths are found from the repository root,
// so the same code reads them under vitest (test/fuzz) and compiled in the bench (bin-bench/test/fuzz).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { publicGoodTrustedRoot, type TrustedRootJson } from "../../lib/sigstore/trustedRoot";
import type { BundlePolicy } from "../../lib/sigstore/verifyBundle";
import { CONFORMANCE } from "../support/conformance";
import { ROOT } from "../support/prerequisites";

/** The checkout's root: the nearest folder above this file with a package.json. */
export const REPO = (() => {
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "package.json"))) return dir;
    throw new Error(`no package.json above ${__dirname}`);
})();

/** The conformance vectors where test/support/conformance.ts says, read from this checkout (ROOT is bin-bench/ once compiled). */
export const CONFORMANCE_DIR = existsSync(CONFORMANCE) ? CONFORMANCE : join(REPO, relative(ROOT, CONFORMANCE));
export const COSIGN_DIR = join(REPO, "test", "fuzz", "fixtures", "cosign");

export const cosignSeed = (file: string) => readFileSync(join(COSIGN_DIR, file));

const DEFAULT_IDENTITY =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER = "https://token.actions.githubusercontent.com";

/** A bundle that verifies, with what it verifies against. */
export interface BundleSeed {
    name: string;
    bundleText: Buffer;
    artifact: Buffer;
    root: TrustedRootJson;
    rootText?: Buffer;
    policy: BundlePolicy;
}

let conformance: BundleSeed[] | undefined;
/** Every conformance case that must verify (the `_fail` ones are no seeds: their accept would prove nothing). */
export function conformanceSeeds(): BundleSeed[] {
    if (conformance) return conformance;
    if (!existsSync(CONFORMANCE_DIR)) throw new Error(`the sigstore conformance vectors are missing at ${CONFORMANCE_DIR}`);
    const publicGood = publicGoodTrustedRoot();
    const optional = (dir: string, file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined);
    conformance = readdirSync(CONFORMANCE_DIR, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.endsWith("_fail"))
        .map((e) => e.name)
        .sort()
        .map((name) => {
            const dir = join(CONFORMANCE_DIR, name);
            const rootText = optional(dir, "trusted_root.json");
            const key = optional(dir, "key.pub");
            return {
                name,
                bundleText: readFileSync(join(dir, "bundle.sigstore.json")),
                artifact: optional(dir, "artifact") ?? readFileSync(join(CONFORMANCE_DIR, "a.txt")),
                root: rootText ? (JSON.parse(rootText.toString("utf8")) as TrustedRootJson) : publicGood,
                ...(rootText ? { rootText } : {}),
                policy: key
                    ? { publicKey: key.toString("utf8") }
                    : {
                          identity: { exact: optional(dir, "identity")?.toString("utf8").trim() ?? DEFAULT_IDENTITY },
                          issuer: { exact: optional(dir, "issuer")?.toString("utf8").trim() ?? DEFAULT_ISSUER },
                      },
            };
        });
    return conformance;
}
