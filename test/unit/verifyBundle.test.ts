// Policy matching on a real public-good bundle from the conformance suite.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publicGoodTrustedRoot } from "../../lib/sigstore/trustedRoot";
import { verifyBundle, type Matcher } from "../../lib/sigstore/verifyBundle";
import { toImagePolicy } from "../../lib/cosign/verifyReference";
import { CONFORMANCE as SUITE } from "../support/conformance";

const bundle: unknown = JSON.parse(readFileSync(join(SUITE, "happy-path-v0.3", "bundle.sigstore.json"), "utf8"));
const artifact = readFileSync(join(SUITE, "a.txt"));
const root = publicGoodTrustedRoot();
const IDENTITY =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER = { exact: "https://token.actions.githubusercontent.com" };
const verify =
    (identity: Matcher, issuer: Matcher = ISSUER) =>
    () =>
        verifyBundle(bundle, artifact, root, { identity, issuer });

describe("verifyBundle policy", () => {
    it("accepts the exact identity and reports who signed", () => {
        expect(verify({ exact: IDENTITY })()).toEqual({ signer: IDENTITY, issuer: ISSUER.exact });
    });

    it("anchors a regexp: a pattern matching only part of the identity fails", () => {
        expect(verify({ regexp: "https://github\\.com/sigstore-conformance/.*" })).not.toThrow();
        expect(verify({ regexp: "extremely-dangerous-public-oidc-beacon" })).toThrow("identity mismatch");
    });

    it("an identity that merely contains the expected one is not it", () => {
        expect(verify({ exact: IDENTITY.slice(0, -5) })).toThrow("identity mismatch");
    });

    it("an issuer mismatch fails", () => {
        expect(verify({ exact: IDENTITY }, { exact: "https://accounts.google.com" })).toThrow(
            'issuer mismatch: the certificate names "https://token.actions.githubusercontent.com"',
        );
    });

    it("a keyless bundle without a policy fails closed", () => {
        expect(() => verifyBundle(bundle, artifact, root, {})).toThrow("needs both an identity and an issuer");
    });

    it("other bytes than the signed artifact fail", () => {
        expect(() => verifyBundle(bundle, Buffer.from("tampered"), root, { identity: { exact: IDENTITY }, issuer: ISSUER })).toThrow();
    });

    it("a certificate from a CA that is not in the trusted root fails", () => {
        const withoutCas = { ...root, certificateAuthorities: [] };
        expect(() => verifyBundle(bundle, artifact, withoutCas, { identity: { exact: IDENTITY }, issuer: ISSUER })).toThrow();
    });
});

describe("toImagePolicy (the provider's policy input)", () => {
    it("maps literals to exact matchers and regexps to anchored ones, and keeps the root", () => {
        expect(toImagePolicy({ keyless: { identity: "a@b", issuerRegExp: "https://.*" } }, "{}")).toEqual({
            identity: { exact: "a@b" },
            issuer: { regexp: "https://.*" },
            trustedRoot: {},
        });
        expect(toImagePolicy({ publicKey: "PEM" }, undefined)).toEqual({ publicKey: "PEM" });
    });
});
