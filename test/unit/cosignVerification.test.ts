import { beforeAll, describe, expect, it } from "vitest";
import { COSIGN_VERIFICATION_PROVIDER_VERSION, CosignVerification, cosignVerificationProvider } from "../../dynamic-providers/cosignVerification";
import { promiseOf, recordResources, type RecordedResource } from "../support/mocks";

const KEY = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";

describe("CosignVerification", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("constructs, its URN resolves, and its inputs are recorded (trusted root by digest)", async () => {
        const v = new CosignVerification("v", {
            reference: "registry.example.org/apps/web:v1",
            policy: { keyless: { identity: "me", issuer: "https://issuer" } },
            trustedRoot: "{}",
        });
        expect(await promiseOf(v.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:CosignVerification::v");
        const inputs = recorded.find((r) => r.name === "v")!.inputs;
        expect(inputs).toMatchObject({ reference: "registry.example.org/apps/web:v1", insecure: false, version: COSIGN_VERIFICATION_PROVIDER_VERSION });
        expect(inputs.trustedRootDigest).toBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        expect(String(inputs.__provider)).not.toContain("docker-manifest-digest");
    });

    it("check names each bad input", async () => {
        const base = { reference: "r.example.org/a:v1", policy: { publicKey: KEY }, trustedRootDigest: "", insecure: false, version: "1" };
        const failures = async (over: object) => (await cosignVerificationProvider.check!({} as never, { ...base, ...over })).failures?.map((f) => f.reason);
        expect(await failures({})).toEqual([]);
        expect(await failures({ reference: "web" })).toEqual(["must be registry/repository:tag or registry/repository@sha256:<hex>"]);
        expect(await failures({ policy: { publicKey: "not a key" } })).toEqual(["publicKey must be a PEM public key (cosign.pub)"]);
        expect(await failures({ policy: { keyless: { identity: "a", identityRegExp: "b" } } })).toEqual([
            "keyless needs exactly one of identity or identityRegExp",
            "keyless needs exactly one of issuer or issuerRegExp",
            "keyless verification needs the trusted_root.json content",
        ]);
    });

    it("check leaves what a preview does not know yet to the update (a publication pushed in the same up)", async () => {
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const base = { reference: UNKNOWN, policy: UNKNOWN, trustedRootDigest: "", insecure: false, version: "1" };
        expect((await cosignVerificationProvider.check!({} as never, base as never)).failures).toEqual([]);
        expect((await cosignVerificationProvider.check!({} as never, { ...base, policy: { publicKey: UNKNOWN } })).failures).toEqual([]);
        // What is known is still checked.
        expect((await cosignVerificationProvider.check!({} as never, { ...base, reference: "web" } as never)).failures?.map((f) => f.property)).toEqual([
            "reference",
        ]);
    });

    it("diff re-verifies on a changed policy or trusted root, and after refresh found the proof broken", async () => {
        const olds = {
            reference: "r.example.org/a@sha256:" + "0".repeat(64),
            policy: { publicKey: KEY },
            trustedRootDigest: "",
            insecure: false,
            version: "1",
            digest: "sha256:" + "0".repeat(64),
            signer: "key:x",
            layout: "legacy-sig-tag",
            issuer: "",
            children: [],
            verifiedAt: "t",
        };
        const diff = (news: object, old: object = olds) => cosignVerificationProvider.diff!("id", old as never, { ...olds, ...news });
        expect(await diff({ trustedRootDigest: "sha256:1" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await diff({}, { ...olds, signer: "", failure: "no signature found" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await diff({})).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    });
});
