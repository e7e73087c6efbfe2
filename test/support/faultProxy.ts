// A loopback proxy in front of a real registry that forwards everything and, at one chosen
// request (method, path pattern, the Nth match), injects one fault: a 5xx answer (for good, or
// once), a reset connection, an answer that stalls past the client's deadline, a body cut
// short, or bytes that are not the ones the digest names. Whatever the registry does, a test
// can then check that the client under test fails typed and that a re-run converges.
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * - `5xx`: 503 to the matched request and to every retry of it (same method and URL); the
 *   registry never sees them.
 * - `5xx-once`: 503 to the matched request only (a retry goes through).
 * - `reset`: the registry carries the request out, then the client's connection is reset before
 *   it hears the answer; every retry of it too.
 * - `stall`: a hung registry: the request never reaches it, and the client gets headers and then
 *   a byte every 100 ms, so its socket never idles and only a total deadline ends the wait.
 * - `truncate`: an answer body cut in half and the connection closed (headers promised it
 *   whole); for a request that carries a body (an upload), the registry gets half of it.
 * - `wrong-digest`: the answer body altered by one byte (headers unchanged, so a claimed
 *   Docker-Content-Digest still names the real digest); for an upload, the registry gets
 *   altered bytes under the digest the client named.
 */
export type FaultKind = "5xx" | "5xx-once" | "reset" | "stall" | "truncate" | "wrong-digest";

export const FAULT_KINDS: readonly FaultKind[] = ["5xx", "5xx-once", "reset", "stall", "truncate", "wrong-digest"];

export interface FaultRule {
    kind: FaultKind;
    method: string;
    /** Tested against the request's path and query. */
    path: RegExp;
    /** The Nth matching request (1-based) is the one faulted. @default 1 */
    nth?: number;
}

export interface Exchange {
    method: string;
    path: string;
    /** The status the client was sent; 0 when it was sent none (reset, stall). */
    status: number;
    fault?: FaultKind;
}

export interface FaultProxy {
    /** host:port to give the client instead of the registry's. */
    host: string;
    /** Every request, in the order they arrived at the proxy. */
    exchanges: Exchange[];
    /** The requests faulted since the last `arm`. */
    readonly faulted: Exchange[];
    /** Replaces the fault (undefined: forward everything untouched) and restarts the count. */
    arm(rule: FaultRule | undefined): void;
    stop(): Promise<void>;
}

/** A stall never outlives this, whatever the client does. */
const MAX_STALL_MS = 20_000;

/** Bytes that differ from `bytes` in one place: JSON stays JSON, so only its digest gives it away. */
function altered(bytes: Buffer): Buffer {
    if (bytes.length === 0) return Buffer.from(" ");
    const out = Buffer.from(bytes);
    const last = out.length - 1;
    // A trailing space keeps a JSON document parseable; any other byte is flipped.
    if (out[last] === 0x7d /* } */ || out[last] === 0x5d /* ] */ || out[last] === 0x0a) return Buffer.concat([out, Buffer.from(" ")]);
    out[last] = out[last]! ^ 0x01;
    return out;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    const exchanges: Exchange[] = [];
    let faulted: Exchange[] = [];
    let rule: FaultRule | undefined;
    let matches = 0;
    /** `METHOD url` of the faulted request: its retries are faulted too. */
    let sticky: string | undefined;
    const agent = new http.Agent({ keepAlive: true });
    const sockets = new Set<Socket>();
    const timers = new Set<NodeJS.Timeout>();

    /** Which fault, if any, this request gets. */
    const decide = (method: string, url: string): FaultKind | undefined => {
        if (!rule) return undefined;
        const key = `${method} ${url}`;
        if (sticky === key && rule.kind !== "5xx-once") return rule.kind;
        if (method !== rule.method || !rule.path.test(url)) return undefined;
        matches++;
        if (matches !== (rule.nth ?? 1)) return undefined;
        sticky = key;
        return rule.kind;
    };

    const forward = (req: http.IncomingMessage, body: Buffer, host: string) =>
        new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
            const headers = {
                ...req.headers,
                host: upstream,
                ...(body.length || req.headers["content-length"] ? { "content-length": String(body.length) } : {}),
            };
            const up = http.request({ host: upstreamHost, port: Number(upstreamPort), method: req.method, path: req.url, headers, agent }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    // Location headers name the registry; the client must keep talking to the proxy.
                    const h = { ...res.headers };
                    if (typeof h.location === "string") h.location = h.location.replace(`//${upstream}`, `//${host}`);
                    resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
                });
                res.on("error", reject);
            });
            up.on("error", reject);
            up.end(body);
        });

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const method = req.method ?? "";
            const url = req.url ?? "";
            const fault = decide(method, url);
            const exchange: Exchange = { method, path: url, status: 0, ...(fault ? { fault } : {}) };
            exchanges.push(exchange);
            if (fault) faulted.push(exchange);
            const send = (status: number, headers: http.OutgoingHttpHeaders, body: Buffer) => {
                exchange.status = status;
                res.writeHead(status, headers);
                res.end(body);
            };
            if (fault === "5xx" || fault === "5xx-once") {
                return send(
                    503,
                    { "content-type": "application/json", "retry-after": "0" },
                    Buffer.from('{"errors":[{"code":"UNAVAILABLE","message":"injected by the fault proxy"}]}'),
                );
            }
            if (fault === "stall") return stall(res);
            let body: Buffer = Buffer.concat(chunks);
            const uploads = body.length > 0;
            if (uploads && fault === "truncate") body = body.subarray(0, Math.floor(body.length / 2));
            if (uploads && fault === "wrong-digest") body = altered(body);
            forward(req, body, req.headers.host ?? "").then(
                (answer) => {
                    if (fault === "reset") return void res.socket?.resetAndDestroy();
                    if (fault === "truncate" && !uploads && answer.body.length > 1) {
                        exchange.status = answer.status;
                        res.writeHead(answer.status, { ...answer.headers, "content-length": String(answer.body.length) });
                        res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
                        return void setTimeout(() => res.socket?.destroy(), 20);
                    }
                    if (fault === "wrong-digest" && !uploads && method === "GET" && answer.status === 200) {
                        const bytes = altered(answer.body);
                        return send(answer.status, { ...answer.headers, "content-length": String(bytes.length) }, bytes);
                    }
                    send(answer.status, answer.headers, answer.body);
                },
                () => res.socket?.destroy(),
            );
        });
    });

    /** Headers at once, then a byte every 100 ms: alive, never done (bounded by MAX_STALL_MS). */
    function stall(res: http.ServerResponse): void {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(1 << 20) });
        const started = Date.now();
        const timer = setInterval(() => {
            if (Date.now() - started > MAX_STALL_MS) return void res.socket?.destroy();
            res.write(" ");
        }, 100);
        timers.add(timer);
        res.on("close", () => {
            clearInterval(timer);
            timers.delete(timer);
        });
    }

    server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    server.on("clientError", (_error, socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        host: `127.0.0.1:${port}`,
        exchanges,
        get faulted() {
            return faulted;
        },
        arm(next) {
            rule = next;
            matches = 0;
            sticky = undefined;
            faulted = [];
        },
        stop: () =>
            new Promise((resolve) => {
                for (const t of timers) clearInterval(t);
                for (const s of sockets) s.destroy();
                agent.destroy();
                server.close(() => resolve());
            }),
    };
}
