// verifyImage against signatures the real cosign CLI made, in both of its layouts, on a
// registry without the referrers API (distribution) and one with it (olareg); and every way
// a signature must be refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, sha256 } from "../../lib/oci/client";
import { OCI_MANIFEST } from "../../lib/oci/mediaTypes";
import { digestTag } from "../../lib/oci/reference";
import { SignatureVerificationError, verifyImage } from "../../lib/cosign/verifyImage";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { pushImage, pushIndex } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe.each(["distribution", "distribution-2.8", "olareg"] as const)("verifyImage on %s with real cosign signatures", (kind) => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;
    let otherKeys: CosignKeys;
    const ref = (repo: string, digest: string) => `${registry.host}/${repo}@${digest}`;

    beforeAll(async () => {
        [registry, keys, otherKeys] = await Promise.all([startRegistry(kind), cosignKeys(), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    });
    afterAll(async () => {
        client?.close();
        await registry?.stop();
    });

    it("verifies cosign's bundle format and says where it found it", async () => {
        const { digest } = await pushImage(client, "apps/bundle", "v1", "bundle");
        await cosignSign(keys, ref("apps/bundle", digest));
        const result = await verifyImage(client, "apps/bundle", digest, { publicKey: keys.publicKeyPem });
        expect(result).toMatchObject({ digest, layout: kind === "olareg" ? "bundle-referrer" : "bundle-fallback-tag", children: [] });
        expect(result.signer).toMatch(/^key:[a-f0-9]{64}$/);
    });

    it("verifies cosign's legacy .sig layout", async () => {
        const { digest } = await pushImage(client, "apps/legacy", "v1", "legacy");
        await cosignSign(keys, ref("apps/legacy", digest), { legacy: true });
        expect(await verifyImage(client, "apps/legacy", digest, { publicKey: keys.publicKeyPem })).toMatchObject({ layout: "legacy-sig-tag" });
    });

    it("refuses a signature by another key, in either layout", async () => {
        const { digest } = await pushImage(client, "apps/wrongkey", "v1", "wrongkey");
        await cosignSign(otherKeys, ref("apps/wrongkey", digest));
        await cosignSign(otherKeys, ref("apps/wrongkey", digest), { legacy: true });
        const error = await verifyImage(client, "apps/wrongkey", digest, { publicKey: keys.publicKeyPem }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SignatureVerificationError);
        expect((error as SignatureVerificationError).reasons).toHaveLength(2);
        expect(String(error)).toContain("legacy-sig-tag layer 0: wrong key, or a tampered payload");
    });

    it("refuses an image with no signature, naming where it looked", async () => {
        const { digest } = await pushImage(client, "apps/unsigned", "v1", "unsigned");
        await expect(verifyImage(client, "apps/unsigned", digest, { publicKey: keys.publicKeyPem })).rejects.toThrow(`no signature found`);
        await expect(verifyImage(client, "apps/unsigned", digest, { publicKey: keys.publicKeyPem })).rejects.toThrow(digestTag(digest, ".sig"));
    });

    it("refuses a valid signature of another digest moved onto this one", async () => {
        const signed = await pushImage(client, "apps/moved", "a", "signed one");
        const other = await pushImage(client, "apps/moved", "b", "other one");
        await cosignSign(keys, ref("apps/moved", signed.digest), { legacy: true });
        const sig = await client.getManifest("apps/moved", digestTag(signed.digest, ".sig"));
        await client.putManifest("apps/moved", digestTag(other.digest, ".sig"), sig.bytes, OCI_MANIFEST);
        await expect(verifyImage(client, "apps/moved", other.digest, { publicKey: keys.publicKeyPem })).rejects.toThrow(
            `the signed payload is for ${signed.digest}, not this image`,
        );
    });

    it("refuses a tampered payload", async () => {
        const { digest } = await pushImage(client, "apps/tampered", "v1", "tampered");
        await cosignSign(keys, ref("apps/tampered", digest), { legacy: true });
        const sig = await client.getManifest("apps/tampered", digestTag(digest, ".sig"));
        const layer = sig.manifest.layers![0]!;
        const payload = JSON.parse((await client.getBlob("apps/tampered", layer.digest)).toString("utf8")) as { optional: unknown };
        payload.optional = { tampered: "yes" };
        const forged = json(payload);
        const forgedSig = { ...sig.manifest, layers: [{ ...layer, digest: await client.pushBlob("apps/tampered", forged), size: forged.length }] };
        await client.putManifest("apps/tampered", digestTag(digest, ".sig"), json(forgedSig), OCI_MANIFEST);
        await expect(verifyImage(client, "apps/tampered", digest, { publicKey: keys.publicKeyPem })).rejects.toThrow("wrong key, or a tampered payload");
    });

    it("verifies an index together with every child", async () => {
        const { digest, bytes, amd64: amd, arm64: arm } = await pushIndex(client, "apps/multi", "v1");
        expect(digest).toBe(sha256(bytes));

        await cosignSign(keys, ref("apps/multi", digest));
        const unsignedChildren = await verifyImage(client, "apps/multi", digest, { publicKey: keys.publicKeyPem }).catch((e: unknown) => e);
        expect(unsignedChildren).toBeInstanceOf(SignatureVerificationError);
        expect((unsignedChildren as SignatureVerificationError).reasons).toEqual([
            expect.stringContaining(`apps/multi@${amd.digest}: no signature found`),
            expect.stringContaining(`apps/multi@${arm.digest}: no signature found`),
        ]);

        await cosignSign(keys, ref("apps/multi", amd.digest));
        await cosignSign(keys, ref("apps/multi", arm.digest));
        expect((await verifyImage(client, "apps/multi", digest, { publicKey: keys.publicKeyPem })).children).toEqual([amd.digest, arm.digest]);
    });
});
