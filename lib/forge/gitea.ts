// What Slipway asks of Gitea's API (v1, as of Gitea 1.26): that it answers with the admin's
// login, and its OAuth2 applications (the CI logs in through one). Errors name the forge, the
// call, the status and what Gitea said; a client secret is never part of one.
import { Transport } from "../oci/transport";
import type { ForgeCredentials } from "./credentials";

export interface OAuthApp {
    id: number;
    name: string;
    clientId: string;
    redirectUris: string[];
}

/** A created or updated application: Gitea shows its secret only then. */
export interface OAuthAppWithSecret extends OAuthApp {
    clientSecret: string;
}

export class ForgeError extends Error {
    constructor(
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "ForgeError";
    }
}

interface AppBody {
    id?: unknown;
    name?: unknown;
    client_id?: unknown;
    client_secret?: unknown;
    redirect_uris?: unknown;
}

export class GiteaClient {
    private readonly transport: Transport;
    private readonly base: URL;
    private readonly auth: string;

    constructor(private readonly login: ForgeCredentials) {
        this.base = new URL(login.url.endsWith("/") ? login.url : `${login.url}/`);
        this.transport = new Transport({ ...(login.ca ? { ca: login.ca } : {}), deadlineMs: 60_000 });
        this.auth = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
    }

    close(): void {
        this.transport.close();
    }

    /**
     * Waits, bounded, until the forge answers the admin's login: a new forge migrates its
     * database and creates the admin before it does. A wrong password is final at once.
     */
    async waitForAdmin(timeoutMs = 180_000): Promise<void> {
        const started = Date.now();
        let last = "";
        while (Date.now() - started < timeoutMs) {
            try {
                const res = await this.call("GET", "user");
                if (res.status === 200) return;
                if (res.status === 401 || res.status === 403)
                    throw new ForgeError(
                        `${this.login.url} refuses the login of ${this.login.username} (${res.status}): the forge's admin password is not the stack's; the forge sets it from its secret when it starts (docker service update --force <stack>-forge_gitea)`,
                        res.status,
                    );
                last = `answered ${res.status}`;
            } catch (error) {
                if (error instanceof ForgeError) throw error;
                last = (error as Error).message;
            }
            await new Promise((r) => setTimeout(r, 2000));
        }
        throw new ForgeError(
            `${this.login.url} did not answer as ${this.login.username} within ${timeoutMs / 1000} s (last: ${last}): is the forge running (docker service ps <stack>-forge_gitea)?`,
        );
    }

    async createOAuthApp(name: string, redirectUris: string[]): Promise<OAuthAppWithSecret> {
        const res = await this.call("POST", "user/applications/oauth2", appRequest(name, redirectUris));
        if (res.status !== 201) throw this.failed("creating the OAuth2 application", name, res);
        return withSecret(res.body, name);
    }

    /** The application, or undefined when it is gone. */
    async getOAuthApp(id: number): Promise<OAuthApp | undefined> {
        const res = await this.call("GET", `user/applications/oauth2/${id}`);
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw this.failed("reading the OAuth2 application", String(id), res);
        return parseApp(res.body, String(id));
    }

    /** Gitea issues a new client secret with every update. */
    async updateOAuthApp(id: number, name: string, redirectUris: string[]): Promise<OAuthAppWithSecret> {
        const res = await this.call("PATCH", `user/applications/oauth2/${id}`, appRequest(name, redirectUris));
        if (res.status !== 200) throw this.failed("updating the OAuth2 application", name, res);
        return withSecret(res.body, name);
    }

    /** Deletes the application; one already gone is not an error. */
    async deleteOAuthApp(id: number): Promise<void> {
        const res = await this.call("DELETE", `user/applications/oauth2/${id}`);
        if (res.status !== 204 && res.status !== 404) throw this.failed("deleting the OAuth2 application", String(id), res);
    }

    /**
     * Makes the system webhook at `url` (every repository's `events`, JSON, signed with `secret`)
     * exist as given: created, or the one already there for that URL edited (its secret replaced).
     * Returns what was done. The secret goes in the request body only.
     */
    async ensureSystemHook(url: string, events: string[], secret: string): Promise<"created" | "updated"> {
        // Without is_system_webhook Gitea makes a "default" webhook: a template copied into each new repository.
        const config = { url, content_type: "json", secret, is_system_webhook: "true" };
        const existing = await this.systemHookAt(url);
        if (existing === undefined) {
            const res = await this.call("POST", "admin/hooks", { type: "gitea", config, events, active: true });
            if (res.status !== 201) throw this.failed("creating the system webhook", url, res);
            return "created";
        }
        const res = await this.call("PATCH", `admin/hooks/${existing}`, { config, events, active: true });
        if (res.status !== 200) throw this.failed("updating the system webhook", url, res);
        return "updated";
    }

    /** Deletes the system webhook at `url`; none there is not an error. */
    async removeSystemHook(url: string): Promise<boolean> {
        const existing = await this.systemHookAt(url);
        if (existing === undefined) return false;
        const res = await this.call("DELETE", `admin/hooks/${existing}`);
        if (res.status !== 204 && res.status !== 404) throw this.failed("deleting the system webhook", url, res);
        return true;
    }

    private async systemHookAt(url: string): Promise<number | undefined> {
        const res = await this.call("GET", "admin/hooks?type=system&limit=50");
        if (res.status !== 200 || !Array.isArray(res.body)) throw this.failed("listing the system webhooks", "", res);
        const hook = (res.body as Array<{ id?: unknown; config?: { url?: unknown } }>).find((h) => h.config?.url === url);
        return typeof hook?.id === "number" ? hook.id : undefined;
    }

    private async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
        const res = await this.transport.send({
            method,
            url: new URL(`api/v1/${path}`, this.base),
            headers: { authorization: this.auth, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
            ...(body ? { body: Buffer.from(JSON.stringify(body)) } : {}),
            maxBytes: 1 << 20,
        });
        const text = res.body.toString("utf8");
        let parsed: unknown = text;
        try {
            parsed = text ? JSON.parse(text) : undefined;
        } catch {
            // not JSON: kept as text for the error
        }
        return { status: res.status, body: parsed };
    }

    private failed(what: string, subject: string, res: { status: number; body: unknown }): ForgeError {
        const said =
            typeof res.body === "object" && res.body && "message" in res.body
                ? String(res.body.message)
                : typeof res.body === "string"
                  ? res.body.slice(0, 200)
                  : "";
        return new ForgeError(`${this.login.url}: ${what} ${subject} failed with ${res.status}: ${said || "no message"}`, res.status);
    }
}

function appRequest(name: string, redirectUris: string[]) {
    // Confidential (the CI keeps its secret server-side): Gitea asks each user once to grant it, then no more.
    return { name, redirect_uris: redirectUris, confidential_client: true };
}

function parseApp(body: unknown, subject: string): OAuthApp {
    const b = (body ?? {}) as AppBody;
    if (typeof b.id !== "number" || typeof b.client_id !== "string" || typeof b.name !== "string" || !Array.isArray(b.redirect_uris)) {
        throw new ForgeError(`the forge's answer about OAuth2 application ${subject} is not one (no id, name, client_id or redirect_uris)`);
    }
    return { id: b.id, name: b.name, clientId: b.client_id, redirectUris: b.redirect_uris.map(String) };
}

function withSecret(body: unknown, subject: string): OAuthAppWithSecret {
    const app = parseApp(body, subject);
    const secret = (body as AppBody).client_secret;
    if (typeof secret !== "string" || secret === "") throw new ForgeError(`the forge created OAuth2 application ${subject} but sent no client secret`);
    return { ...app, clientSecret: secret };
}
