// HTTP for the registry client: keep-alive connections (one agent per client, so requests run
// in parallel over reused sockets), an optional caller-supplied CA, and retries with backoff
// on 5xx, 429 and connection resets, bounded both in count and in total time. Every request
// has a total deadline and a response size limit: a socket-idle timeout alone lets a registry
// that drips its body one byte at a time hold a verification, promotion or prune forever.
import * as http from "node:http";
import * as https from "node:https";

/** Environment settings (read when a client is made, so a provider sees the operator's): */
export const DEADLINE_ENV = "SLIPWAY_REGISTRY_DEADLINE_SECONDS";
export const MAX_BYTES_ENV = "SLIPWAY_REGISTRY_MAX_RESPONSE_BYTES";
export const DEFAULT_DEADLINE_MS = 300_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 2 ** 31;

/** A limit of ours was reached: not retried (the same registry would do it again). */
export class TransportLimitError extends Error {
    constructor(
        readonly code: "SLIPWAY_DEADLINE_EXCEEDED" | "SLIPWAY_RESPONSE_TOO_LARGE",
        message: string,
    ) {
        super(message);
        this.name = "TransportLimitError";
    }
}

export interface TransportOptions {
    /** PEM of the CA that signed the registry's certificate (in addition to the system's). */
    ca?: string;
    /** Retries after the first attempt. @default 4 */
    maxRetries?: number;
    /** No retry starts after this many milliseconds since the first attempt. @default 15000 */
    retryBudgetMs?: number;
    /** A socket idle this long fails the request. @default 30000 */
    timeoutMs?: number;
    /** One request, from sending to the last byte of the answer, takes at most this long. @default SLIPWAY_REGISTRY_DEADLINE_SECONDS, else 300 s */
    deadlineMs?: number;
    /** The most bytes one answer may carry (a caller may ask for less). @default SLIPWAY_REGISTRY_MAX_RESPONSE_BYTES, else 2 GiB */
    maxResponseBytes?: number;
}

/** The limits the environment sets, checked: a bad value is refused, never ignored. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<TransportOptions, "deadlineMs" | "maxResponseBytes"> {
    const positive = (name: string): number | undefined => {
        const text = env[name];
        if (text === undefined || text === "") return undefined;
        const value = Number(text);
        if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(text)} must be a positive number`);
        return value;
    };
    const seconds = positive(DEADLINE_ENV);
    const bytes = positive(MAX_BYTES_ENV);
    return { ...(seconds !== undefined ? { deadlineMs: seconds * 1000 } : {}), ...(bytes !== undefined ? { maxResponseBytes: Math.floor(bytes) } : {}) };
}

export interface HttpResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

export interface HttpRequest {
    method: string;
    url: URL;
    headers?: Record<string, string>;
    body?: Buffer;
    /** At most this many bytes of answer (below the transport's own limit), e.g. for a manifest. */
    maxBytes?: number;
}

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET"]);

export class Transport {
    private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    private readonly httpsAgent: https.Agent;
    /** Requests sent, retries included: benchmarks report it. */
    requests = 0;

    readonly deadlineMs: number;
    readonly maxResponseBytes: number;

    constructor(private readonly options: TransportOptions = {}) {
        const fromEnv = limitsFromEnv();
        this.deadlineMs = options.deadlineMs ?? fromEnv.deadlineMs ?? DEFAULT_DEADLINE_MS;
        this.maxResponseBytes = options.maxResponseBytes ?? fromEnv.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
        this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, ...(options.ca ? { ca: options.ca } : {}) });
    }

    async send(req: HttpRequest): Promise<HttpResponse> {
        const maxRetries = this.options.maxRetries ?? 4;
        const budget = this.options.retryBudgetMs ?? 15_000;
        const started = Date.now();
        for (let attempt = 0; ; attempt++) {
            let retryAfterMs: number | undefined;
            try {
                const res = await this.once(req);
                if (res.status < 500 && res.status !== 429) return res;
                if (attempt >= maxRetries || Date.now() - started > budget) return res;
                retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
            } catch (error) {
                const code = (error as NodeJS.ErrnoException).code ?? "";
                if (error instanceof TransportLimitError || !RETRYABLE_CODES.has(code) || attempt >= maxRetries || Date.now() - started > budget) throw error;
            }
            const backoff = Math.min(retryAfterMs ?? 100 * 2 ** attempt * (0.5 + Math.random()), 5_000);
            await new Promise((r) => setTimeout(r, backoff));
        }
    }

    close(): void {
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
    }

    private once(req: HttpRequest): Promise<HttpResponse> {
        this.requests++;
        const lib = req.url.protocol === "https:" ? https : http;
        const agent = req.url.protocol === "https:" ? this.httpsAgent : this.httpAgent;
        const limit = Math.min(req.maxBytes ?? Infinity, this.maxResponseBytes);
        const what = `${req.method} ${req.url.origin}${req.url.pathname}`;
        return new Promise((resolve, reject) => {
            const r = lib.request(
                req.url,
                {
                    method: req.method,
                    headers: { ...req.headers, ...(req.body ? { "content-length": String(req.body.length) } : {}) },
                    agent,
                    timeout: this.options.timeoutMs ?? 30_000,
                },
                (res) => {
                    const declared = Number(res.headers["content-length"] ?? 0);
                    if (declared > limit) return void r.destroy(tooLarge(what, `declares ${declared}`, limit));
                    const chunks: Buffer[] = [];
                    let received = 0;
                    res.on("data", (c: Buffer) => {
                        received += c.length;
                        if (received > limit) return void r.destroy(tooLarge(what, `sent more than ${received - c.length}`, limit));
                        chunks.push(c);
                    });
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                    res.on("error", reject);
                    // A body cut short (the connection closed before content-length bytes) is an error, not an answer.
                    res.on("aborted", () =>
                        reject(Object.assign(new Error(`${what}: the connection closed before the whole answer arrived`), { code: "ECONNRESET" })),
                    );
                },
            );
            const deadline = setTimeout(
                () =>
                    r.destroy(
                        new TransportLimitError(
                            "SLIPWAY_DEADLINE_EXCEEDED",
                            `${what} did not complete within ${this.deadlineMs / 1000} s (the request deadline; raise ${DEADLINE_ENV} for a slow registry)`,
                        ),
                    ),
                this.deadlineMs,
            );
            r.on("close", () => clearTimeout(deadline));
            r.on("timeout", () =>
                r.destroy(
                    Object.assign(new Error(`${what} timed out: the connection was idle for ${(this.options.timeoutMs ?? 30_000) / 1000} s`), {
                        code: "ETIMEDOUT",
                    }),
                ),
            );
            r.on("error", reject);
            r.end(req.body);
        });
    }
}

function tooLarge(what: string, seen: string, limit: number): TransportLimitError {
    return new TransportLimitError(
        "SLIPWAY_RESPONSE_TOO_LARGE",
        `${what}: the answer ${seen} bytes, over the limit of ${limit} (raise ${MAX_BYTES_ENV} for larger blobs)`,
    );
}

function parseRetryAfter(value: string | undefined): number | undefined {
    if (!value) return undefined;
    const seconds = Number(value);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
