// The client against distribution with `auth: token`: the registry answers 401 with a Bearer
// challenge, a separate token service checks the credentials and issues a JWT the registry
// verifies against a key it trusts (JWKS). Tokens are fetched once per scope and reused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";
import { pushImage } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";
import { startTokenServer, type TokenServer } from "../support/tokenServer";

const USER = { username: "slipway", password: "correct horse battery staple" };
/** A scope with its actions sorted: distribution's challenge lists them in no fixed order. */
const normal = (scope: string) => scope.replace(/:([a-z,]+)$/, (_m, actions: string) => `:${actions.split(",").sort().join(",")}`);

describe("RegistryClient with Bearer token auth", () => {
    let tokens: TokenServer;
    let registry: RunningRegistry;

    beforeAll(async () => {
        tokens = await startTokenServer(USER);
        registry = await startRegistry("distribution", { token: { realm: tokens.realm, jwks: tokens.jwks } });
    });
    afterAll(async () => {
        await registry?.stop();
        await tokens?.stop();
    });

    it("pushes and pulls with one token per scope, reused across requests", async () => {
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: USER });
        try {
            const first = await pushImage(client, "apps/web", "v1", "bearer one");
            const second = await pushImage(client, "apps/web", "v2", "bearer two");
            expect(await client.resolve("apps/web", "v1")).toBe(first.digest);
            expect(await client.resolve("apps/web", "v2")).toBe(second.digest);
            // Two pushes (blob checks, uploads, manifests) and two pulls: one token to read (the
            // first blob check), one to write, in all.
            expect(tokens.issued.map(normal)).toEqual(["repository:apps/web:pull", "repository:apps/web:pull,push"]);
            expect(client.requests).toBeGreaterThan(10);
        } finally {
            client.close();
        }
    });

    it("a token for one repository does not open another: a new scope, a new token", async () => {
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: USER });
        try {
            const before = tokens.issued.length;
            const pushed = await pushImage(client, "apps/api", "v1", "another repository");
            expect(await client.resolve("apps/api", "v1")).toBe(pushed.digest);
            expect(tokens.issued.slice(before).map(normal)).toEqual(["repository:apps/api:pull", "repository:apps/api:pull,push"]);
        } finally {
            client.close();
        }
    });

    it("wrong credentials: the token service's refusal, naming the registry and the fix", async () => {
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: { ...USER, password: "wrong" } });
        const refusedBefore = tokens.refused;
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ status: 401 });
        expect(String(error)).toContain(`${registry.host}/apps/web (v1)`);
        expect(String(error)).toContain("refused: check the registry credentials");
        expect(tokens.refused).toBe(refusedBefore + 1);
    });

    it("no credentials: refused, with how to provide them", async () => {
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ status: 401 });
        expect(String(error)).toContain("set SLIPWAY_REGISTRY_USERNAME/PASSWORD or log in");
    });
});
