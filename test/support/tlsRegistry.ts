// A distribution registry as the platform runs it: HTTPS with a certificate from a CA of the
// test's own (for 127.0.0.1) and Basic auth from an htpasswd file, hashed at the platform's
// bcrypt cost (distribution checks it on every request, so the cost shows in every timing).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { htpasswdLine } from "../../lib/registry/credentials";
import { must } from "./exec";
import { startRegistry, type RunningRegistry } from "./registries";
import { scratchDir } from "./tmp";

export interface TlsRegistry {
    registry: RunningRegistry;
    /** PEM of the CA that issued the registry's certificate. */
    ca: string;
    user: { username: string; password: string };
    stop(): Promise<void>;
}

export async function startTlsRegistry(user = { username: "slipway", password: "correct horse battery staple" }): Promise<TlsRegistry> {
    const dir = scratchDir("slipway-tls-");
    const openssl = (...args: string[]) => must("openssl", args, { cwd: dir });
    await openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Slipway test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    );
    await openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "tls.key", "-out", "tls.csr");
    writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    await openssl(
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "tls.crt",
    );
    const htpasswd = await htpasswdLine(user.username, user.password);
    const registry = await startRegistry("distribution", {
        htpasswd: `${htpasswd}\n`,
        tls: { certificate: readFileSync(join(dir, "tls.crt"), "utf8"), key: readFileSync(join(dir, "tls.key"), "utf8") },
    });
    return {
        registry,
        ca: readFileSync(join(dir, "ca.crt"), "utf8"),
        user,
        async stop() {
            await registry.stop();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
