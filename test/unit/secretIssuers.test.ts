// The dynamic resources that issue secrets (LocalCertificate, RegistryCredentials): they
// construct and resolve, take nothing secret as input, mark what they issue as secret, and
// check their inputs.
import { beforeAll, describe, expect, it } from "vitest";
import { LocalCertificate, localCertificateProvider } from "../../dynamic-providers/localCertificate";
import { RandomSecret, randomSecretProvider } from "../../dynamic-providers/randomSecret";
import { RegistryCredentials, registryCredentialsProvider } from "../../dynamic-providers/registryCredentials";
import { promiseOf, recordResources, type RecordedResource } from "../support/mocks";

describe("secret-issuing dynamic resources", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("LocalCertificate constructs, its URN resolves, its only inputs are the domain and validity", async () => {
        const cert = new LocalCertificate("ca", { domain: "local.slipway.test" });
        expect(await promiseOf(cert.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:LocalCertificate::ca");
        const inputs = recorded.find((r) => r.name === "ca")!.inputs;
        expect(inputs).toMatchObject({ domain: "local.slipway.test", days: 825 });
        expect(
            Object.keys(inputs)
                .filter((k) => k !== "__provider")
                .sort(),
        ).toEqual(["days", "domain", "version"]);
    });

    it("RegistryCredentials constructs, its URN resolves, its only inputs are the username, the rotation and the hash cost", async () => {
        const creds = new RegistryCredentials("creds");
        expect(await promiseOf(creds.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:RegistryCredentials::creds");
        const inputs = recorded.find((r) => r.name === "creds")!.inputs;
        expect(
            Object.keys(inputs)
                .filter((k) => k !== "__provider")
                .sort(),
        ).toEqual(["hashCost", "rotation", "username", "version"]);
        expect(String(inputs.__provider)).not.toContain("htpasswd -niB");
    });

    it("RandomSecret constructs, its URN resolves, its only inputs are its version and rotation", async () => {
        const secret = new RandomSecret("token");
        expect(await promiseOf(secret.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:RandomSecret::token");
        const inputs = recorded.find((r) => r.name === "token")!.inputs;
        expect(
            Object.keys(inputs)
                .filter((k) => k !== "__provider")
                .sort(),
        ).toEqual(["rotation", "version"]);
    });

    it("a bumped rotation replaces (a new value); state from before rotation existed reads as rotation 0", async () => {
        expect(await randomSecretProvider.diff!("id", { version: "1" } as never, { version: "1", rotation: 0 })).toEqual({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(await randomSecretProvider.diff!("id", { version: "1", rotation: 0 } as never, { version: "1", rotation: 1 })).toEqual({
            changes: true,
            replaces: ["rotation"],
            deleteBeforeReplace: false,
        });
        expect(
            await registryCredentialsProvider.diff!("id", { username: "slipway", version: "1", hashCost: 4 } as never, {
                username: "slipway",
                version: "1",
                rotation: 0,
                hashCost: 4,
            }),
        ).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(
            await registryCredentialsProvider.diff!("id", { username: "slipway", version: "1", hashCost: 4 } as never, {
                username: "slipway",
                version: "1",
                rotation: 2,
                hashCost: 4,
            }),
        ).toEqual({ changes: true, replaces: ["rotation"], deleteBeforeReplace: false });
        // State from before the cost was an input was hashed at 10: hashed again in place, the password kept.
        expect(
            await registryCredentialsProvider.diff!("id", { username: "slipway", version: "1" } as never, {
                username: "slipway",
                version: "1",
                rotation: 0,
                hashCost: 4,
            }),
        ).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("check refuses what would break the script or the htpasswd line", async () => {
        const cert = await localCertificateProvider.check!({} as never, { domain: "bad domain; rm -rf /", days: 9999, version: "1" });
        expect(cert.failures?.map((f) => f.property).sort()).toEqual(["days", "domain"]);
        const creds = await registryCredentialsProvider.check!({} as never, { username: "Bad:Name", version: "1" });
        expect(creds.failures?.map((f) => f.property)).toEqual(["username"]);
    });

    it("a change of input replaces (new secret material), and the same inputs change nothing", async () => {
        const olds = { domain: "a.test", days: 825, version: "1", ca: "c", certificate: "c", key: "k" };
        expect(await localCertificateProvider.diff!("id", olds, { domain: "b.test", days: 825, version: "1" })).toMatchObject({
            changes: true,
            replaces: ["domain"],
        });
        expect(await localCertificateProvider.diff!("id", olds, { domain: "a.test", days: 825, version: "1" })).toMatchObject({ changes: false, replaces: [] });
    });
});
