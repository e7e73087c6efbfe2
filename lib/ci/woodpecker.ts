// What Slipway asks of Woodpecker's API (1.0): activate a forge repository, and set its secrets.
// Called with a user's personal token; errors name the call and status, never a secret's value.
import { Transport } from "../oci/transport";

export interface RepositorySecret {
    name: string;
    value: string;
    /** The events whose pipelines get it. @default PUSH_EVENTS */
    events?: readonly string[];
}

/** What a repository's own pipelines run on: pushes, tags, deployments, runs by hand. */
export const PUSH_EVENTS = ["push", "tag", "deployment", "manual"] as const;

interface ForgeRepo {
    forge_remote_id?: unknown;
    full_name?: unknown;
    id?: unknown;
    active?: unknown;
}

export class WoodpeckerClient {
    private readonly transport: Transport;
    private readonly base: URL;

    constructor(
        url: string,
        private readonly token: string,
        ca?: string,
    ) {
        this.base = new URL(url.endsWith("/") ? url : `${url}/`);
        this.transport = new Transport({ ...(ca ? { ca } : {}), deadlineMs: 60_000 });
    }

    close(): void {
        this.transport.close();
    }

    /**
     * Activates `fullName` (owner/name at the forge), which the token's user must see there; one
     * active already is left as it is. Returns Woodpecker's id of it.
     */
    async activate(fullName: string): Promise<number> {
        const mine = await this.call<ForgeRepo[]>("GET", "user/repos?all=true");
        const repo = mine.find((r) => r.full_name === fullName);
        if (!repo || typeof repo.forge_remote_id !== "string")
            throw new Error(
                `${this.base.origin}: the forge shows the token's user no repository ${fullName} (they see ${mine.map((r) => String(r.full_name)).join(", ") || "none"}): create it at the forge, or use a token of a user who can admin it`,
            );
        if (repo.active === true && typeof repo.id === "number") return repo.id;
        const active = await this.call<ForgeRepo>("POST", `repos?forge_remote_id=${encodeURIComponent(repo.forge_remote_id)}`);
        if (typeof active.id !== "number") throw new Error(`${this.base.origin}: activating ${fullName} answered no repository id`);
        return active.id;
    }

    /** Sets a secret for its events, creating it or replacing its value. */
    async setSecret(repoId: number, secret: RepositorySecret): Promise<"created" | "updated"> {
        const body = { name: secret.name, value: secret.value, event: [...(secret.events ?? PUSH_EVENTS)], image: [] };
        const existing = await this.request("GET", `repos/${repoId}/secrets/${encodeURIComponent(secret.name)}`);
        if (existing.status === 200) {
            await this.call("PATCH", `repos/${repoId}/secrets/${encodeURIComponent(secret.name)}`, body);
            return "updated";
        }
        await this.call("POST", `repos/${repoId}/secrets`, body);
        return "created";
    }

    private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
        const res = await this.request(method, path, body);
        // The answer is Woodpecker's text; a secret's value is never echoed by these calls.
        if (res.status >= 300)
            throw new Error(
                `${this.base.origin}: ${method} /api/${path.split("?")[0]} answered ${res.status}: ${res.text.slice(0, 200) || "no message"}${res.status === 401 ? " (the token is not valid: get a personal token from the CI's user settings)" : ""}`,
            );
        return (res.text ? JSON.parse(res.text) : undefined) as T;
    }

    private async request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
        const res = await this.transport.send({
            method,
            url: new URL(`api/${path}`, this.base),
            headers: { authorization: `Bearer ${this.token}`, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
            ...(body ? { body: Buffer.from(JSON.stringify(body)) } : {}),
            maxBytes: 4 << 20,
        });
        return { status: res.status, text: res.body.toString("utf8") };
    }
}
