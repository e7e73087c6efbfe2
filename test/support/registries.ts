// Real registries on loopback for integration tests, each on a free port with its own
// storage, stopped after the test file: distribution (no referrers API) and olareg (the OCI
// 1.1 referrers API), both from the pinned toolchain.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOKEN_ISSUER, TOKEN_SERVICE } from "./tokenServer";

export interface RunningRegistry {
    /** distribution: the pinned 3.x; distribution-2.8: Debian's docker-registry; olareg: with the referrers API. */
    kind: "distribution" | "distribution-2.8" | "olareg";
    /** host:port on loopback. */
    host: string;
    stop(): Promise<void>;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

/** Waits until a server on loopback accepts connections (TLS or not, auth or not). */
export async function waitForListener(port: number, child: ChildProcess, log: () => string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode}: ${log()}`);
        const open = await new Promise<boolean>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => {
                socket.end();
                resolve(true);
            });
            socket.on("error", () => resolve(false));
        });
        if (open) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server on 127.0.0.1:${port} did not listen within 15 s: ${log()}`);
}

export interface RegistryOptions {
    /** htpasswd file content (bcrypt): distribution then demands Basic auth. */
    htpasswd?: string;
    /** PEM certificate and key: distribution then serves HTTPS only. */
    tls?: { certificate: string; key: string };
    /** distribution's storage.delete.enabled. @default true */
    deleteEnabled?: boolean;
    /** Token auth: the token service's realm and the JWKS of its signing key (see tokenServer). */
    token?: { realm: string; jwks: string };
    /**
     * distribution's in-memory blob descriptor cache, on in the configuration its image ships
     * (cmd/registry/config-example.yml); benchmarks measure against that stock setup.
     * @default false
     */
    blobDescriptorCache?: boolean;
    /**
     * distribution only: the whole configuration instead of the one built from the options above,
     * e.g. the platform's own render; given the registry's `host:port` and a scratch folder.
     */
    config?: (host: string, dir: string) => string;
}

export async function startRegistry(kind: RunningRegistry["kind"], opts: RegistryOptions = {}): Promise<RunningRegistry> {
    const dir = mkdtempSync(join(tmpdir(), `slipway-${kind}-`));
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    let child: ChildProcess;
    if (kind === "distribution" || kind === "distribution-2.8") {
        const auth = opts.htpasswd
            ? `auth:\n  htpasswd:\n    realm: slipway-test\n    path: ${join(dir, "htpasswd")}\n`
            : opts.token
              ? `auth:\n  token:\n    realm: ${opts.token.realm}\n    service: ${TOKEN_SERVICE}\n    issuer: ${TOKEN_ISSUER}\n    jwks: ${join(dir, "jwks.json")}\n`
              : "";
        if (opts.htpasswd) writeFileSync(join(dir, "htpasswd"), opts.htpasswd);
        if (opts.token) writeFileSync(join(dir, "jwks.json"), opts.token.jwks);
        if (opts.tls) {
            writeFileSync(join(dir, "tls.crt"), opts.tls.certificate);
            writeFileSync(join(dir, "tls.key"), opts.tls.key);
        }
        const cache = opts.blobDescriptorCache ? "  cache:\n    blobdescriptor: inmemory\n" : "";
        const tls = opts.tls ? `  tls:\n    certificate: ${join(dir, "tls.crt")}\n    key: ${join(dir, "tls.key")}\n` : "";
        writeFileSync(
            join(dir, "config.yml"),
            opts.config?.(host, dir) ??
                `version: 0.1\nlog:\n  level: warn\nstorage:\n${cache}  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: ${opts.deleteEnabled ?? true}\nhttp:\n  addr: ${host}\n${tls}${auth}`,
        );
        child = spawn(kind === "distribution" ? "registry" : "docker-registry", ["serve", join(dir, "config.yml")], {
            stdio: ["ignore", "ignore", "pipe"],
            env: { ...process.env, OTEL_TRACES_EXPORTER: "none" },
        });
    } else {
        child = spawn("olareg", ["serve", "--addr", "127.0.0.1", "--port", String(port), "--dir", join(dir, "data"), "--api-delete"], {
            stdio: ["ignore", "ignore", "pipe"],
        });
    }
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    await waitForListener(port, child, () => stderr);
    return {
        kind,
        host,
        async stop() {
            child.kill("SIGTERM");
            await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
