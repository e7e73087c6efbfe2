// The sigstore conformance vectors (vendored in test/fixtures/sigstore-conformance, contract in
// bundle-verify/README.md): every case verifies, every `_fail` case fails, offline. Cases
// without their own trusted root use the public-good root from @sigstore/tuf's seeds.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publicGoodTrustedRoot, type TrustedRootJson } from "../../lib/sigstore/trustedRoot";
import { BundleVerificationError, verifyBundle, type BundlePolicy } from "../../lib/sigstore/verifyBundle";
import { CONFORMANCE as SUITE } from "../support/conformance";

const DEFAULT_IDENTITY =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER = "https://token.actions.githubusercontent.com";

if (!existsSync(SUITE))
    throw new Error(
        `The sigstore conformance vectors are missing at ${SUITE}: restore them from git, or re-vendor them with scripts/vendor-conformance <sigstore-conformance checkout>`,
    );

const read = (dir: string, file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined);
const cases = readdirSync(SUITE, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
const publicGood = publicGoodTrustedRoot();

function verifyCase(name: string): void {
    const dir = join(SUITE, name);
    const bundleText = readFileSync(join(dir, "bundle.sigstore.json"), "utf8");
    let bundle: unknown;
    try {
        bundle = JSON.parse(bundleText);
    } catch {
        throw new BundleVerificationError("the bundle is not JSON");
    }
    const artifact = read(dir, "artifact") ?? readFileSync(join(SUITE, "a.txt"));
    const rootText = read(dir, "trusted_root.json");
    const root = rootText ? (JSON.parse(rootText.toString("utf8")) as TrustedRootJson) : publicGood;
    const key = read(dir, "key.pub");
    const policy: BundlePolicy = key
        ? { publicKey: key.toString("utf8") }
        : {
              identity: { exact: read(dir, "identity")?.toString("utf8").trim() ?? DEFAULT_IDENTITY },
              issuer: { exact: read(dir, "issuer")?.toString("utf8").trim() ?? DEFAULT_ISSUER },
          };
    verifyBundle(bundle, artifact, root, policy);
}

describe("sigstore conformance: bundle verification", () => {
    it("has the suite's cases", () => {
        expect(cases.length).toBeGreaterThanOrEqual(70);
    });

    for (const name of cases) {
        const shouldFail = name.endsWith("_fail");
        it(`${name} ${shouldFail ? "fails" : "verifies"}`, () => {
            if (shouldFail) expect(() => verifyCase(name)).toThrow(BundleVerificationError);
            else expect(() => verifyCase(name)).not.toThrow();
        });
    }
});
