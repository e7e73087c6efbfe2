// HAProxy in front of the Docker socket, as Tecnativa's docker-socket-proxy does it, so
// Traefik's swarm provider can read services, tasks, networks, nodes and events and can do
// nothing else: every other path, and every method but GET and HEAD, is refused. Traefik never
// mounts the socket itself. Pure; snapshot-tested and run in the real haproxy by a test.

/** Where the proxy listens on its private network. */
export const SOCKET_PROXY_PORT = 2375;

/** The Docker API paths Traefik's swarm provider reads (with or without a /v1.xx prefix). */
export const SOCKET_PROXY_ALLOWED = ["_ping", "version", "info", "events", "services", "tasks", "networks", "nodes"] as const;

export interface SocketProxyOptions {
    /** Address haproxy listens on, e.g. ":2375" or "127.0.0.1:2375". */
    bind: string;
    /** The Docker socket inside the container. @default "/var/run/docker.sock" */
    socket?: string;
}

export function renderSocketProxyConfig({ bind, socket = "/var/run/docker.sock" }: SocketProxyOptions): string {
    const allowed = `^(/v[0-9.]+)?/(${SOCKET_PROXY_ALLOWED.join("|")})(/|$)`;
    return [
        "global",
        "    log stdout format raw local0 info",
        "    maxconn 1000",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    timeout connect 10s",
        "    timeout client 10m",
        "    timeout server 10m",
        // Traefik holds /events open to watch the swarm.
        "    timeout tunnel 1h",
        "",
        "frontend docker",
        `    bind ${bind}`,
        "    http-request deny deny_status 403 unless METH_GET || METH_HEAD",
        `    http-request deny deny_status 403 unless { path -m reg ${allowed} }`,
        "    default_backend socket",
        "",
        "backend socket",
        `    server docker ${socket}`,
        "",
    ].join("\n");
}
