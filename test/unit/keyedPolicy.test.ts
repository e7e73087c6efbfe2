// A keyed policy trusts exactly its key. With a trusted root beside it (cosign 3 logs keyed
// signatures by default, so "key + public-good root" is the natural configuration) the root
// verifies the bundle's log entries and timestamps, never a certificate: a bundle signed by
// some Fulcio identity must not pass as the key (issue 17, review defect 1).
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publicGoodTrustedRoot, type TrustedRootJson } from "../../lib/sigstore/trustedRoot";
import { verifyBundle } from "../../lib/sigstore/verifyBundle";
import { CONFORMANCE } from "../support/conformance";

const read = (name: string, file: string) => readFileSync(join(CONFORMANCE, name, file));
const bundleOf = (name: string): unknown => JSON.parse(read(name, "bundle.sigstore.json").toString("utf8"));
const artifact = readFileSync(join(CONFORMANCE, "a.txt"));
const publicGood = publicGoodTrustedRoot();
const anyKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();

describe("a keyed policy with a trusted root", () => {
    it("refuses a certificate-signed bundle whose certificate the root's CA issued", () => {
        // The bundle verifies keyless under this root: only the policy's key makes it wrong.
        expect(() => verifyBundle(bundleOf("happy-path-v0.3"), artifact, publicGood, { publicKey: anyKey })).toThrow(
            /signed with a certificate, not with the policy's key/,
        );
    });

    it("refuses it whatever the CA: a certificate is never the key", () => {
        for (const name of ["happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3"]) {
            expect(() => verifyBundle(bundleOf(name), artifact, publicGood, { publicKey: anyKey })).toThrow(/not with the policy's key/);
        }
    });

    it("still accepts the key's own bundle, with its log entry verified against the root", () => {
        const name = "managed-key-and-trusted-root";
        const root = JSON.parse(read(name, "trusted_root.json").toString("utf8")) as TrustedRootJson;
        const key = read(name, "key.pub").toString("utf8");
        expect(verifyBundle(bundleOf(name), artifact, root, { publicKey: key }).signer).toMatch(/^key:[a-f0-9]{64}$/);
        // The same bundle under a root without its log: the entry it carries cannot verify.
        expect(() => verifyBundle(bundleOf(name), artifact, { ...root, tlogs: [] }, { publicKey: key })).toThrow();
    });

    it("refuses the key's bundle under another key", () => {
        const name = "managed-key-and-trusted-root";
        const root = JSON.parse(read(name, "trusted_root.json").toString("utf8")) as TrustedRootJson;
        expect(() => verifyBundle(bundleOf(name), artifact, root, { publicKey: anyKey })).toThrow();
    });
});
