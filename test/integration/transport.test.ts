// Retries against a real (misbehaving) HTTP server on loopback: bounded in count, and the
// last answer is what the caller sees.
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { RegistryError } from "../../lib/oci/errors";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server that answers 503 `failures` times, then serves one manifest. */
function flaky(failures: number): Promise<{ host: string; hits: () => number }> {
    let hits = 0;
    server = createServer((req, res) => {
        hits++;
        if (hits <= failures) {
            res.writeHead(503, { "content-type": "application/json", "retry-after": "0" }).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
            return;
        }
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(
            '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}',
        );
    });
    return new Promise((resolve) =>
        server!.listen(0, "127.0.0.1", () => resolve({ host: `127.0.0.1:${(server!.address() as { port: number }).port}`, hits: () => hits })),
    );
}

describe("retries", () => {
    it("retry a 503 until the registry answers", async () => {
        const { host, hits } = await flaky(2);
        const client = new RegistryClient({ registry: host, scheme: "http", credentials: null });
        await expect(client.resolve("apps/web", "v1")).resolves.toMatch(/^sha256:/);
        expect(hits()).toBe(3);
        client.close();
    });

    it("give up after maxRetries with the registry's own error", async () => {
        const { host, hits } = await flaky(100);
        const client = new RegistryClient({ registry: host, scheme: "http", credentials: null, maxRetries: 2 });
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(hits()).toBe(3);
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ status: 503, code: "UNAVAILABLE" });
    });
});

/** A server that sends headers at once, then drips its body one byte every `everyMs`: alive, never done. */
function dripping(everyMs: number, declared = 1000): Promise<string> {
    server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": String(declared) });
        const timer = setInterval(() => res.write(" "), everyMs);
        res.on("close", () => clearInterval(timer));
    });
    return listen();
}

/** A server that answers `bytes` bytes of body, with or without announcing the length. */
function big(bytes: number, announce: boolean): Promise<string> {
    server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", ...(announce ? { "content-length": String(bytes) } : {}) });
        res.end(Buffer.alloc(bytes, 0x20));
    });
    return listen();
}

const listen = () =>
    new Promise<string>((resolve) => server!.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server!.address() as { port: number }).port}`)));

describe("limits: every call is bounded in time and size", () => {
    it("a registry that drips its body fails at the deadline with a typed error naming registry, repository and limit", async () => {
        const host = await dripping(200);
        // The socket never idles (a byte every 200 ms), so only a total deadline ends this.
        const client = new RegistryClient({ registry: host, scheme: "http", credentials: null, timeoutMs: 1000, deadlineMs: 1500 });
        const started = Date.now();
        const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ registry: host, repository: "apps/web", reference: "v1", status: 0, code: "SLIPWAY_DEADLINE_EXCEEDED" });
        expect((error as Error).message).toContain("did not complete within 1.5 s");
        expect((error as Error).message).toContain("SLIPWAY_REGISTRY_DEADLINE_SECONDS");
        // Not retried: the same registry would drip again.
        expect(Date.now() - started).toBeLessThan(5000);
    });

    it("the deadline comes from SLIPWAY_REGISTRY_DEADLINE_SECONDS when the caller sets none", async () => {
        const host = await dripping(200);
        process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS = "1";
        try {
            const client = new RegistryClient({ registry: host, scheme: "http", credentials: null });
            const error = await client.resolve("apps/web", "v1").catch((e: unknown) => e);
            client.close();
            expect(error).toMatchObject({ code: "SLIPWAY_DEADLINE_EXCEEDED" });
            expect((error as Error).message).toContain("within 1 s");
        } finally {
            delete process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS;
        }
    });

    it("a bad limit in the environment is refused, never ignored", () => {
        process.env.SLIPWAY_REGISTRY_MAX_RESPONSE_BYTES = "lots";
        try {
            expect(() => new RegistryClient({ registry: "127.0.0.1:1", scheme: "http", credentials: null })).toThrow(
                'SLIPWAY_REGISTRY_MAX_RESPONSE_BYTES="lots" must be a positive number',
            );
        } finally {
            delete process.env.SLIPWAY_REGISTRY_MAX_RESPONSE_BYTES;
        }
    });

    it("a manifest over 4 MiB is refused, announced or not", async () => {
        for (const announce of [true, false]) {
            const host = await big(5 * 1024 * 1024, announce);
            const client = new RegistryClient({ registry: host, scheme: "http", credentials: null });
            const error = await client.getManifest("apps/web", "v1").catch((e: unknown) => e);
            client.close();
            await new Promise<void>((r) => server!.close(() => r()));
            server = undefined;
            expect(error).toMatchObject({ repository: "apps/web", reference: "v1", code: "SLIPWAY_RESPONSE_TOO_LARGE" });
            expect((error as Error).message).toContain("over the limit of 4194304");
        }
    });

    it("a blob over maxResponseBytes is refused; one within it is read", async () => {
        const host = await big(64 * 1024, false);
        const small = new RegistryClient({ registry: host, scheme: "http", credentials: null, maxResponseBytes: 1024 });
        const error = await small.getBlob("apps/web", `sha256:${"a".repeat(64)}`).catch((e: unknown) => e);
        small.close();
        expect(error).toMatchObject({ code: "SLIPWAY_RESPONSE_TOO_LARGE" });
        expect((error as Error).message).toContain("SLIPWAY_REGISTRY_MAX_RESPONSE_BYTES");
        // Within the limit the body arrives whole (and is then checked against its digest).
        const roomy = new RegistryClient({ registry: host, scheme: "http", credentials: null, maxResponseBytes: 1024 * 1024 });
        const digestError = await roomy.getBlob("apps/web", `sha256:${"a".repeat(64)}`).catch((e: unknown) => e);
        roomy.close();
        expect((digestError as Error).message).toContain("blob content hashes to");
    });

    it("a body cut short by the server is an error, not a shorter answer", async () => {
        server = createServer((_req, res) => {
            res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": "100" });
            res.write('{"schemaVersion":2');
            setTimeout(() => res.destroy(), 50);
        });
        const host = await listen();
        const client = new RegistryClient({ registry: host, scheme: "http", credentials: null, maxRetries: 1 });
        const error = await client.getManifest("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ status: 0, repository: "apps/web" });
    });

    it("a manifest that is not JSON is a typed error, not a SyntaxError", async () => {
        server = createServer((_req, res) =>
            res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end("<html>proxy error</html>"),
        );
        const host = await listen();
        const client = new RegistryClient({ registry: host, scheme: "http", credentials: null });
        const error = await client.getManifest("apps/web", "v1").catch((e: unknown) => e);
        client.close();
        expect(error).toBeInstanceOf(RegistryError);
        expect(error).toMatchObject({ code: "MALFORMED", repository: "apps/web", reference: "v1" });
    });
});
