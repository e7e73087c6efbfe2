// The rendered Traefik configuration in the real traefik binary (pinned, from setup) with a
// certificate from the real local-certificate script: HTTPS with that certificate, trusted
// through the CA the script exports; HTTP answered with a permanent redirect to HTTPS; the
// ping entrypoint healthy; the swarm provider accepted (pointed at this machine's engine).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderLocalCertificateScript } from "../../lib/tls/localCertificateScript";
import { renderTraefikDynamic, renderTraefikStatic } from "../../lib/proxy/traefik";
import { must } from "../support/exec";
import { freePort } from "../support/registries";

const DOMAIN = "local.slipway.test";

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    const lib = url.startsWith("https:") ? https : http;
    return new Promise((resolve, reject) => {
        lib.get(url, options, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        }).on("error", reject);
    });
}

describe("Traefik with the rendered configuration", () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-traefik-"));
    let traefik: ChildProcess;
    let backend: http.Server;
    let ports: { web: number; secure: number; ping: number };
    let ca: string;
    let log = "";

    beforeAll(async () => {
        const tls = JSON.parse(await must("bash", ["-c", renderLocalCertificateScript({ domain: DOMAIN })])) as {
            ca: string;
            certificate: string;
            key: string;
        };
        ca = tls.ca;
        writeFileSync(join(dir, "tls.crt"), tls.certificate);
        writeFileSync(join(dir, "tls.key"), tls.key);
        backend = http.createServer((_req, res) => res.end("hello from the backend"));
        await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
        ports = { web: await freePort(), secure: await freePort(), ping: await freePort() };

        mkdirSync(join(dir, "dynamic"));
        writeFileSync(join(dir, "dynamic", "tls.yml"), renderTraefikDynamic({ certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") }));
        // A route the test adds beside the rendered file, as a swarm service's labels would.
        const route = {
            http: {
                routers: { app: { rule: `Host(\`app.${DOMAIN}\`)`, entryPoints: ["web-secure"], tls: {}, service: "app" } },
                services: { app: { loadBalancer: { servers: [{ url: `http://127.0.0.1:${(backend.address() as AddressInfo).port}` }] } } },
            },
        };
        writeFileSync(join(dir, "dynamic", "route.yml"), JSON.stringify(route));
        writeFileSync(
            join(dir, "traefik.yml"),
            renderTraefikStatic({
                dockerEndpoint: "unix:///var/run/docker.sock",
                network: "proxy",
                dynamicDir: join(dir, "dynamic"),
                httpPort: ports.web,
                httpsPort: ports.secure,
                pingPort: ports.ping,
                bindAddress: "127.0.0.1",
            }),
        );
        traefik = spawn("traefik", [`--configFile=${join(dir, "traefik.yml")}`], { stdio: ["ignore", "pipe", "pipe"] });
        traefik.stdout?.on("data", (d: Buffer) => (log += d.toString()));
        traefik.stderr?.on("data", (d: Buffer) => (log += d.toString()));
        // Bounded wait for the route to be live (file provider loaded, entrypoints up).
        for (let i = 0; i < 100; i++) {
            const ok = await get(`https://127.0.0.1:${ports.secure}/`, { ca, servername: `app.${DOMAIN}`, headers: { host: `app.${DOMAIN}` } }).then(
                (r) => r.status === 200,
                () => false,
            );
            if (ok) return;
            if (traefik.exitCode !== null) throw new Error(`traefik exited ${traefik.exitCode}: ${log}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`traefik did not serve the route within 10 s: ${log}`);
    }, 30_000);
    afterAll(async () => {
        traefik?.kill("SIGTERM");
        await new Promise((r) => (traefik?.exitCode !== null ? r(undefined) : traefik.once("exit", r)));
        await new Promise((r) => backend?.close(r));
        rmSync(dir, { recursive: true, force: true });
    });

    it("serves HTTPS with the local certificate, which the exported CA verifies", async () => {
        const res = await get(`https://127.0.0.1:${ports.secure}/`, { ca, servername: `app.${DOMAIN}`, headers: { host: `app.${DOMAIN}` } });
        expect(res).toMatchObject({ status: 200, body: "hello from the backend" });
        // Without the CA, the certificate is not trusted: it is the local one, not some default.
        await expect(get(`https://127.0.0.1:${ports.secure}/`, { servername: `app.${DOMAIN}`, headers: { host: `app.${DOMAIN}` } })).rejects.toThrow(
            /self-signed|unable to verify|certificate/i,
        );
    });

    it("redirects HTTP to HTTPS permanently", async () => {
        const res = await get(`http://127.0.0.1:${ports.web}/some/path`, { headers: { host: `app.${DOMAIN}` } });
        expect(res.status).toBe(301); // Traefik answers a permanent redirect of a GET with 301
        // To the HTTPS entrypoint's port (443 in production, so none in the URL there).
        expect(res.headers.location).toBe(`https://app.${DOMAIN}:${ports.secure}/some/path`);
    });

    it("answers ping on its own entrypoint, and the swarm provider started without errors", async () => {
        expect(await get(`http://127.0.0.1:${ports.ping}/ping`)).toMatchObject({ status: 200, body: "OK" });
        expect(log).not.toMatch(/level=error|"level":"error"|ERR /);
    });
});
