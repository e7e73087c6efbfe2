// Build-once promotion against real registries: revision gate, copy without rebuild, the
// signatures following the promoted index, and the target tag untouched on every failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { verifyImage } from "../../lib/cosign/verifyImage";
import { promote, PromotionError, REVISION_LABEL, type PromotionFailure } from "../../lib/promotion/promote";
import { cosignKeys, cosignSign, type CosignKeys } from "../support/cosign";
import { must } from "../support/exec";
import { pushImage, pushIndex } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const SHA = "3f9d1c0b7a2e4d5f8a6b1c2d3e4f5a6b7c8d9e0f";
const OTHER = "0000000000000000000000000000000000000042";

describe.each(["distribution", "olareg"] as const)("promote on %s", (kind) => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let keys: CosignKeys;

    beforeAll(async () => {
        [registry, keys] = await Promise.all([startRegistry(kind), cosignKeys()]);
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    });
    afterAll(async () => {
        client?.close();
        await registry?.stop();
    });

    it("moves the prod tag to exactly the validated staging digest", async () => {
        const staged = await pushImage(client, "apps/web", "staging", "build 1", { labels: { [REVISION_LABEL]: SHA } });
        const result = await promote(client, { repository: "apps/web", tag: "staging" }, { repository: "apps/web", tag: "prod" }, SHA);
        expect(result).toEqual({ digest: staged.digest, revision: SHA, copied: [] });
        expect(await must("skopeo", ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", `docker://${registry.host}/apps/web:prod`])).toBe(
            staged.digest,
        );
    });

    it("copies a signed 2-arch index to another repository, signatures included, without rebuilding", async () => {
        const index = await pushIndex(client, "staging/node", "v1", { [REVISION_LABEL]: SHA });
        for (const d of [index.digest, index.amd64.digest, index.arm64.digest]) await cosignSign(keys, `${registry.host}/staging/node@${d}`);

        const result = await promote(client, { repository: "staging/node", tag: "v1" }, { repository: "prod/node", tag: "current" }, SHA);

        expect(result.digest).toBe(index.digest);
        expect(await client.resolve("prod/node", "current")).toBe(index.digest);
        const verified = await verifyImage(client, "prod/node", index.digest, { publicKey: keys.publicKeyPem });
        expect(verified.children).toEqual([index.amd64.digest, index.arm64.digest]);
    });

    describe("fails closed, leaving the target tag where it was", () => {
        let before: string;
        beforeAll(async () => {
            before = (await pushImage(client, "apps/api", "prod", "running", { labels: { [REVISION_LABEL]: OTHER } })).digest;
            await pushImage(client, "apps/api", "unlabelled", "no label");
            await pushImage(client, "apps/api", "staging", "candidate", { labels: { [REVISION_LABEL]: SHA } });
        });

        const cases: Array<[string, string, string, PromotionFailure, RegExp]> = [
            ["an empty expected revision", "staging", "", "empty-expected-revision", /expected revision is empty/],
            ["a missing label", "unlabelled", SHA, "label-missing", /carries no org\.opencontainers\.image\.revision label/],
            ["a revision mismatch, both shown shortened", "staging", OTHER, "revision-mismatch", /built from 3f9d1c0b7a2e…, but 000000000000… was validated/],
            ["an unresolvable source", "nope", SHA, "source-unresolvable", /apps\/api:nope cannot be resolved: .*404/],
        ];
        for (const [what, tag, expected, failure, message] of cases) {
            it(what, async () => {
                const error = await promote(client, { repository: "apps/api", tag }, { repository: "apps/api", tag: "prod" }, expected).catch(
                    (e: unknown) => e,
                );
                expect(error).toBeInstanceOf(PromotionError);
                expect(error).toMatchObject({ failure });
                expect(String(error)).toMatch(message);
                expect(await client.resolve("apps/api", "prod")).toBe(before);
            });
        }
    });
});
