// HTTP for the registry client: keep-alive connections (one agent per client, so requests run
// in parallel over reused sockets), an optional caller-supplied CA, and retries with backoff
// on 5xx, 429 and connection resets, bounded both in count and in total time.
import * as http from "node:http";
import * as https from "node:https";

export interface TransportOptions {
    /** PEM of the CA that signed the registry's certificate (in addition to the system's). */
    ca?: string;
    /** Retries after the first attempt. @default 4 */
    maxRetries?: number;
    /** No retry starts after this many milliseconds since the first attempt. @default 15000 */
    retryBudgetMs?: number;
    /** One request's timeout. @default 30000 */
    timeoutMs?: number;
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
}

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET"]);

export class Transport {
    private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    private readonly httpsAgent: https.Agent;
    /** Requests sent, retries included: benchmarks report it. */
    requests = 0;

    constructor(private readonly options: TransportOptions = {}) {
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
                if (!RETRYABLE_CODES.has(code) || attempt >= maxRetries || Date.now() - started > budget) throw error;
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
        return new Promise((resolve, reject) => {
            const r = lib.request(req.url, { method: req.method, headers: { ...req.headers, ...(req.body ? { "content-length": String(req.body.length) } : {}) }, agent, timeout: this.options.timeoutMs ?? 30_000 }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                res.on("error", reject);
            });
            r.on("timeout", () => r.destroy(Object.assign(new Error(`${req.method} ${req.url.href} timed out`), { code: "ETIMEDOUT" })));
            r.on("error", reject);
            r.end(req.body);
        });
    }
}

function parseRetryAfter(value: string | undefined): number | undefined {
    if (!value) return undefined;
    const seconds = Number(value);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
