// CI keeps ONE preview comment per pull request: it finds its own by the marker the comment
// starts with and edits it, else posts it, through GitHub's or Gitea/Forgejo's issue-comment
// API (the same paths; Gitea's under /api/v1, with `token` auth). The token goes in one header
// and nowhere else: every message this throws is scrubbed of it, whatever a forge echoes back.
import { MARKER } from "./comment";

export type Forge = "github" | "gitea";

export interface PostOptions {
    forge: Forge;
    /** https://api.github.com, or https://git.example.org/api/v1 */
    apiUrl: string;
    /** owner/name */
    repo: string;
    pullRequest: number;
    token: string;
    /** The comment; it must start with MARKER. */
    body: string;
    fetch?: typeof fetch;
    /** Per request. @default 30000 */
    timeoutMs?: number;
}

export interface Posted {
    action: "created" | "updated";
    id: number;
    url: string;
}

interface Comment {
    id: number;
    body?: string;
    html_url?: string;
}

/** Bounds the listing: a pull request with more comments than this many pages is not searched further. */
export const MAX_PAGES = 50;
/** GitHub's largest page. Gitea's issueGetComments takes no paging and answers every comment at once. */
const PAGE_SIZE = { github: 100, gitea: 50 } as const;

export async function upsertPreviewComment(o: PostOptions): Promise<Posted> {
    if (!o.body.startsWith(MARKER))
        throw new Error(`the comment does not start with ${MARKER}, so the next push could not find it to edit: render it with npm run preview:comment`);
    if (!/^[^/\s]+\/[^/\s]+$/.test(o.repo)) throw new Error(`repository "${o.repo}" is not owner/name`);
    if (!Number.isInteger(o.pullRequest) || o.pullRequest < 1) throw new Error(`pull request "${o.pullRequest}" is not a pull request number`);
    try {
        return await upsert(o);
    } catch (error) {
        throw new Error(scrub((error as Error).message, o.token));
    }
}

async function upsert(o: PostOptions): Promise<Posted> {
    const api = `${o.apiUrl.replace(/\/+$/, "")}/repos/${o.repo}/issues`;
    const list = `${api}/${o.pullRequest}/comments`;
    const mine = await findMine(o, list);
    if (!mine) {
        const created = await call<Comment | undefined>(o, "POST", list, { body: o.body });
        if (!created?.id)
            throw new Error(`POST ${list}: the answer is not the new comment: check the API URL (GitHub's is https://api.github.com, Gitea's ends in /api/v1)`);
        return { action: "created", id: created.id, url: created.html_url ?? `${api}/comments/${created.id}` };
    }
    // Gitea may answer 204 with no body; the comment is still the one listed.
    const edited = await call<Comment | undefined>(o, "PATCH", `${api}/comments/${mine.id}`, { body: o.body });
    return { action: "updated", id: mine.id, url: edited?.html_url ?? mine.html_url ?? `${api}/comments/${mine.id}` };
}

async function findMine(o: PostOptions, list: string): Promise<Comment | undefined> {
    const size = PAGE_SIZE[o.forge];
    const seen = new Set<number>();
    for (let page = 1; page <= MAX_PAGES; page++) {
        const url = o.forge === "github" ? `${list}?per_page=${size}&page=${page}` : `${list}?page=${page}&limit=${size}`;
        const comments = await call<Comment[]>(o, "GET", url);
        if (!Array.isArray(comments))
            throw new Error(
                `GET ${url}: the answer is not a list of comments: check the API URL (GitHub's is https://api.github.com, Gitea's ends in /api/v1)`,
            );
        const found = comments.find((c) => c.body?.startsWith(MARKER));
        if (found) return found;
        // The last page; or a server that ignores paging (Gitea) and sent what it sent before.
        if (comments.length < size || comments.every((c) => seen.has(c.id))) return undefined;
        for (const c of comments) seen.add(c.id);
    }
    return undefined;
}

async function call<T>(o: PostOptions, method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
        authorization: o.forge === "github" ? `Bearer ${o.token}` : `token ${o.token}`,
        accept: o.forge === "github" ? "application/vnd.github+json" : "application/json",
        ...(body ? { "content-type": "application/json" } : {}),
    };
    const timeoutMs = o.timeoutMs ?? 30_000;
    let response: Response;
    let text: string;
    try {
        response = await (o.fetch ?? fetch)(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(timeoutMs) });
        text = await response.text();
    } catch (error) {
        const e = error as Error & { cause?: Error };
        const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `no response (${e.cause?.message ?? e.message})`;
        throw new Error(`${method} ${url}: ${why}: check the API URL and that this runner reaches it`);
    }
    if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status}: ${fixFor(response.status, o.repo, text)}`);
    if (!text) return undefined as T;
    try {
        return JSON.parse(text) as T;
    } catch {
        throw new Error(`${method} ${url}: the answer is not JSON: check the API URL (GitHub's is https://api.github.com, Gitea's ends in /api/v1)`);
    }
}

function fixFor(status: number, repo: string, text: string): string {
    if (status === 401) return "the token is missing or invalid: set SLIPWAY_FORGE_TOKEN from the CI's secret store";
    const cannot = `the token cannot write comments on ${repo}: give it issues/pull-requests write permission`;
    if (status === 403) return cannot;
    // GitHub answers 404, not 403, for a repository the token may not see.
    if (status === 404) return `${cannot} (or the API URL, repository or pull request number is wrong)`;
    return `the forge refused the request${forgeMessage(text)}`;
}

/** The forge's own words ({"message": …}), short, for statuses this does not know. */
function forgeMessage(text: string): string {
    try {
        const message = (JSON.parse(text) as { message?: unknown }).message;
        return typeof message === "string" ? `: ${message.slice(0, 300)}` : "";
    } catch {
        return "";
    }
}

function scrub(text: string, token: string): string {
    return token ? text.split(token).join("[token]") : text;
}
