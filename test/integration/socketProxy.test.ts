// The socket-proxy image (Debian's haproxy, assembled by setup) with the rendered config, in
// front of this machine's real Docker socket: what Traefik's swarm provider reads answers,
// anything else (containers, exec, any write) is refused before it reaches the engine.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformImage } from "../../lib/images/images";
import { renderSocketProxyConfig } from "../../lib/proxy/socketProxy";
import { docker } from "../support/exec";
import { freePort } from "../support/registries";

describe("docker socket proxy", () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-socket-proxy-"));
    const name = `slipway-test-socket-proxy-${process.pid}`;
    let base: string;

    beforeAll(async () => {
        writeFileSync(join(dir, "haproxy.cfg"), renderSocketProxyConfig({ bind: ":2375" }));
        const port = await freePort();
        await docker(
            "run",
            "-d",
            "--name",
            name,
            "-p",
            `127.0.0.1:${port}:2375`,
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock:ro",
            "-v",
            `${join(dir, "haproxy.cfg")}:/usr/local/etc/haproxy/haproxy.cfg:ro`,
            platformImage("socket-proxy").id,
        );
        base = `http://127.0.0.1:${port}`;
        for (let i = 0; i < 50; i++) {
            if (
                await fetch(`${base}/_ping`).then(
                    (r) => r.ok,
                    () => false,
                )
            )
                return;
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`the socket proxy did not answer within 5 s: ${await docker("logs", name).catch(String)}`);
    }, 30_000);
    afterAll(async () => {
        await docker("rm", "-f", name).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
    });

    it.each(["/version", "/v1.41/info", "/v1.41/services", "/v1.41/tasks", "/v1.41/networks", "/v1.41/nodes"])(
        "GET %s answers from the engine",
        async (path) => {
            const res = await fetch(`${base}${path}`);
            expect(res.status).toBe(200);
        },
    );

    it.each([
        ["GET", "/v1.41/containers/json"],
        ["GET", "/v1.41/secrets"],
        ["GET", "/v1.41/servicesfoo"],
        ["POST", "/v1.41/services/create"],
        ["DELETE", "/v1.41/networks/proxy"],
        ["POST", "/v1.41/containers/x/exec"],
    ])("%s %s is refused with 403", async (method, path) => {
        const res = await fetch(`${base}${path}`, { method, ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}) });
        expect(res.status).toBe(403);
    });
});
