// The client against a distribution registry that serves HTTPS with a certificate from a CA
// of the test's own and demands Basic auth (htpasswd), as the platform's registry will.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialsFor } from "../../lib/oci/auth";
import { RegistryClient } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";
import { pushImage } from "../support/images";
import type { RunningRegistry } from "../support/registries";
import { startTlsRegistry, type TlsRegistry } from "../support/tlsRegistry";

const USER = { username: "slipway", password: "correct horse battery staple" };

describe("RegistryClient over TLS with a caller CA and Basic auth", () => {
    let registry: RunningRegistry;
    let ca: string;

    let tls: TlsRegistry;

    beforeAll(async () => {
        tls = await startTlsRegistry(USER);
        registry = tls.registry;
        ca = tls.ca;
    });
    afterAll(async () => tls?.stop());

    it("pushes and resolves with the CA and credentials", async () => {
        const client = new RegistryClient({ registry: registry.host, ca, credentials: USER });
        const { digest } = await pushImage(client, "apps/web", "v1", "over tls");
        expect(await client.resolve("apps/web", "v1")).toBe(digest);
        client.close();
    });

    it("answers Basic auth once for requests in flight together (they all meet the first 401)", async () => {
        const pusher = new RegistryClient({ registry: registry.host, ca, credentials: USER });
        const { digest } = await pushImage(pusher, "apps/parallel", "v1", "parallel");
        pusher.close();
        const client = new RegistryClient({ registry: registry.host, ca, credentials: USER });
        const resolved = await Promise.all(Array.from({ length: 6 }, () => client.resolve("apps/parallel", "v1")));
        client.close();
        expect(resolved).toEqual(Array(6).fill(digest));
    });

    it("wrong credentials: a 401 that says to check them", async () => {
        const client = new RegistryClient({ registry: registry.host, ca, credentials: { username: USER.username, password: "wrong" } });
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toMatchObject({ status: 401 });
        expect(String(error)).toContain("the registry refused the credentials: check them");
    });

    it("without credentials: a 401 that says how to provide them", async () => {
        const client = new RegistryClient({ registry: registry.host, ca, credentials: null });
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ status: 401 });
        expect(String(error)).toContain("set SLIPWAY_REGISTRY_USERNAME/PASSWORD or log in");
    });

    it("without the CA: refuses the certificate, naming the registry", async () => {
        const client = new RegistryClient({ registry: registry.host, credentials: USER, maxRetries: 0 });
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(String(error)).toMatch(new RegExp(`${registry.host}/apps/web \\(v1\\): no response: .*(self-signed|unable to verify|certificate)`, "i"));
    });

    it("reads credentials from a docker config file", async () => {
        const config = mkdtempSync(join(tmpdir(), "slipway-docker-config-"));
        writeFileSync(
            join(config, "config.json"),
            JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER.username}:${USER.password}`).toString("base64") } } }),
        );
        const credentials = credentialsFor(registry.host, { DOCKER_CONFIG: config });
        expect(credentials).toEqual(USER);
        const client = new RegistryClient({ registry: registry.host, ca, credentials: credentials ?? null });
        await expect(client.resolve("apps/web", "v1")).resolves.toMatch(/^sha256:/);
        client.close();
        rmSync(config, { recursive: true, force: true });
    });
});
