// A loopback HTTP proxy in front of a real registry that lets a test act between a request
// reaching the registry and its answer reaching the client: e.g. kill the client right after
// the registry has carried out its third DELETE, the moment a real crash would hurt most.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Exchange {
    method: string;
    path: string;
    status: number;
}

export interface RunningProxy {
    /** host:port to give the client instead of the registry's. */
    host: string;
    /** Every request the registry answered, in order. */
    exchanges: Exchange[];
    stop(): Promise<void>;
}

/**
 * `afterUpstream` runs once the registry has answered and before the client hears it; when it
 * returns "drop", the client never hears it (its connection is cut, as a crash would cut it).
 */
export async function startProxy(upstream: string, afterUpstream: (exchange: Exchange, seen: Exchange[]) => "drop" | void): Promise<RunningProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    const exchanges: Exchange[] = [];
    const agent = new http.Agent({ keepAlive: true });
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const forward = http.request(
                { host: upstreamHost, port: Number(upstreamPort), method: req.method, path: req.url, headers: { ...req.headers, host: upstream }, agent },
                (up) => {
                    const body: Buffer[] = [];
                    up.on("data", (c: Buffer) => body.push(c));
                    up.on("end", () => {
                        const exchange = { method: req.method ?? "", path: req.url ?? "", status: up.statusCode ?? 0 };
                        exchanges.push(exchange);
                        if (afterUpstream(exchange, exchanges) === "drop") return void res.destroy();
                        // Location headers name the registry; the client must keep talking to the proxy.
                        const headers = { ...up.headers };
                        if (typeof headers.location === "string")
                            headers.location = headers.location.replace(`//${upstream}`, `//${res.req.headers.host ?? ""}`);
                        res.writeHead(up.statusCode ?? 502, headers);
                        res.end(Buffer.concat(body));
                    });
                },
            );
            forward.on("error", () => res.destroy());
            forward.end(Buffer.concat(chunks));
        });
    });
    server.on("clientError", (_error, socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        host: `127.0.0.1:${port}`,
        exchanges,
        stop: () =>
            new Promise((resolve) => {
                server.closeAllConnections();
                agent.destroy();
                server.close(() => resolve());
            }),
    };
}
