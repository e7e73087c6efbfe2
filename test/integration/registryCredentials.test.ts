// Registry credentials as the platform makes them: the htpasswd line verifies the password with
// the real htpasswd, and with the real registry (distribution's htpasswd auth).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { htpasswdLine, issueRegistryCredentials } from "../../lib/registry/credentials";
import { registryCredentialsProvider } from "../../dynamic-providers/registryCredentials";
import { run } from "../support/exec";
import { pushImage } from "../support/images";
import { startRegistry } from "../support/registries";

describe("registry credentials", () => {
    it("a fresh strong password whose bcrypt entry htpasswd and distribution accept", async () => {
        const a = await issueRegistryCredentials("slipway");
        const b = await issueRegistryCredentials("slipway");
        expect(a.password).not.toBe(b.password);
        expect(a.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(a.htpasswd).toMatch(/^slipway:\$2y\$04\$/);

        const dir = mkdtempSync(join(tmpdir(), "slipway-htpasswd-"));
        try {
            writeFileSync(join(dir, "htpasswd"), `${a.htpasswd}\n`);
            expect((await run("htpasswd", ["-vb", join(dir, "htpasswd"), "slipway", a.password])).code).toBe(0);
            expect((await run("htpasswd", ["-vb", join(dir, "htpasswd"), "slipway", b.password])).code).not.toBe(0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }

        const registry = await startRegistry("distribution", { htpasswd: `${a.htpasswd}\n` });
        const good = new RegistryClient({ registry: registry.host, scheme: "http", credentials: { username: "slipway", password: a.password } });
        const bad = new RegistryClient({ registry: registry.host, scheme: "http", credentials: { username: "slipway", password: b.password } });
        try {
            const { digest } = await pushImage(good, "apps/web", "v1", "with generated credentials");
            expect(await good.resolve("apps/web", "v1")).toBe(digest);
            await expect(bad.resolve("apps/web", "v1")).rejects.toMatchObject({ status: 401 });
        } finally {
            good.close();
            bad.close();
            await registry.stop();
        }
    });

    it("state hashed at the earlier cost is hashed again at the new one, keeping the password and the http secret", async () => {
        const earlier = await issueRegistryCredentials("slipway", 10);
        const olds = { version: "1", rotation: 0, ...earlier };
        const news = { username: "slipway", version: "1", rotation: 0, hashCost: 4 };
        expect(await registryCredentialsProvider.diff!("id", olds, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        const { outs } = await registryCredentialsProvider.update!("id", olds, news);
        expect(outs).toMatchObject({ password: earlier.password, httpSecret: earlier.httpSecret, hashCost: 4 });
        expect(outs!.htpasswd).toMatch(/^slipway:\$2y\$04\$/);
        const dir = mkdtempSync(join(tmpdir(), "slipway-htpasswd-"));
        try {
            writeFileSync(join(dir, "htpasswd"), `${outs!.htpasswd}\n`);
            expect((await run("htpasswd", ["-vb", join(dir, "htpasswd"), "slipway", earlier.password])).code).toBe(0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
        // Once at the new cost, nothing changes.
        expect(await registryCredentialsProvider.diff!("id", { ...olds, ...outs }, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(await htpasswdLine("slipway", earlier.password, 4)).toMatch(/^slipway:\$2y\$04\$/);
    });

    it("refuses a username that would break the htpasswd line", async () => {
        await expect(issueRegistryCredentials("Bad:Name")).rejects.toThrow("must be lowercase letters");
    });
});
