// The client against a distribution registry that serves HTTPS with a certificate from a CA
// of the test's own and demands Basic auth (htpasswd), as the platform's registry will.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialsFor } from "../../lib/oci/auth";
import { RegistryClient } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";
import { must } from "../support/exec";
import { pushImage } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";

const dir = mkdtempSync(join(tmpdir(), "slipway-tls-"));
const openssl = (...args: string[]) => must("openssl", args, { cwd: dir });
const USER = { username: "slipway", password: "correct horse battery staple" };

describe("RegistryClient over TLS with a caller CA and Basic auth", () => {
    let registry: RunningRegistry;
    let ca: string;

    beforeAll(async () => {
        await openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=Slipway test CA", "-keyout", "ca.key", "-out", "ca.crt");
        await openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "tls.key", "-out", "tls.csr");
        writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
        await openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "tls.crt");
        ca = readFileSync(join(dir, "ca.crt"), "utf8");
        const htpasswd = await must("htpasswd", ["-Bbn", USER.username, USER.password]);
        registry = await startRegistry("distribution", { htpasswd: `${htpasswd}\n`, tls: { certificate: readFileSync(join(dir, "tls.crt"), "utf8"), key: readFileSync(join(dir, "tls.key"), "utf8") } });
    });
    afterAll(async () => {
        await registry?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it("pushes and resolves with the CA and credentials", async () => {
        const client = new RegistryClient({ registry: registry.host, ca, credentials: USER });
        const { digest } = await pushImage(client, "apps/web", "v1", "over tls");
        expect(await client.resolve("apps/web", "v1")).toBe(digest);
        client.close();
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
        writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER.username}:${USER.password}`).toString("base64") } } }));
        const credentials = credentialsFor(registry.host, { DOCKER_CONFIG: config });
        expect(credentials).toEqual(USER);
        const client = new RegistryClient({ registry: registry.host, ca, credentials: credentials ?? null });
        await expect(client.resolve("apps/web", "v1")).resolves.toMatch(/^sha256:/);
        client.close();
        rmSync(config, { recursive: true, force: true });
    });
});
