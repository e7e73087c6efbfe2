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
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
    });
    return new Promise((resolve) => server!.listen(0, "127.0.0.1", () => resolve({ host: `127.0.0.1:${(server!.address() as { port: number }).port}`, hits: () => hits })));
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
