// CI keeps ONE preview comment per pull request: it finds its own by the marker the comment
// starts with and edits it, else posts it. GitHub's and Gitea/Forgejo's issue-comment APIs
// (the same paths; Gitea under /api/v1, with `token` auth and page/limit paging). The token
// goes in one header and nowhere else: no error or output carries it.
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
    body: string;
    fetch?: typeof fetch;
    /** Per request. @default 30 s */
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

/** Bounds the listing: a pull request with more comments than this is not searched further. */
const MAX_PAGES = 50;

export async function upsertPreviewComment(o: PostOptions): Promise<Posted> {
    if (!o.body.startsWith(MARKER)) throw new Error(`the comment does not start with ${MARKER}: the next push could not find it to edit (render it with npm run preview:comment)`);
    if (!/^[^/\s]+\/[^/\s]+$/.test(o.repo)) throw new Error(`repository "${o.repo}" is not owner/name`);
    const api = o.apiUrl.replace(/\/+$/, "");
    const issue = `${api}/repos/${o.repo}/issues/${o.pullRequest}/comments`;
    const mine = await findMine(o, issue);
    const result = mine
        ? await call<Comment>(o, "PATCH", `${api}/repos/${o.repo}/issues/comments/${mine.id}`, { body: o.body })
        : await call<Comment>(o, "POST", issue, { body: o.body });
    return { action: mine ? "updated" : "created", id: result.id, url: result.html_url ?? "" };
}

async function findMine(o: PostOptions, issue: string): Promise<Comment | undefined> {
    const size = o.forge === "github" ? 100 : 50;
    const seen = new Set<number>();
    for (let page = 1; page <= MAX_PAGES; page++) {
        const query = o.forge === "github" ? `per_page=${size}&page=${page}` : `limit=${size}&page=${page}`;
        const comments = await call<Comment[]>(o, "GET", `${issue}?${query}`);
        const found = comments.find((c) => c.body?.startsWith(MARKER));
        if (found) return found;
        // The last page; or a server that ignores paging and sent what it sent before.
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
    let response: Response;
    try {
        response = await (o.fetch ?? fetch)(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
    } catch (error) {
        throw new Error(`${method} ${url}: no response (${(error as Error).message}): check the API URL and that this runner reaches it`);
    }
    if (response.ok) return (await response.json()) as T;
    const fix =
        response.status === 401 ? "the token is missing or invalid: set SLIPWAY_FORGE_TOKEN from the CI secret store"
        : response.status === 403 || response.status === 404 ? `the token cannot write comments on ${o.repo}: give it issues/pull-requests write permission`
        : "the forge refused the request";
    throw new Error(`${method} ${url}: HTTP ${response.status}: ${fix}`);
}
