// The preview comment poster against a loopback server speaking the subset of GitHub's and
// Gitea's issue-comment APIs it uses: no real GitHub or Gitea is reachable from this machine.
// The fake pages as each forge does: GitHub by per_page/page; Gitea's issueGetComments takes no
// paging and answers every comment (a switch makes it page, as a future version might).
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MARKER } from "../../tooling/preview/comment";
import { forgeContext } from "../../tooling/preview/forgeContext";
import { MAX_PAGES, upsertPreviewComment, type Forge } from "../../tooling/preview/post";

const TOKEN = "forge-token-5c1e-never-printed";
const LIST = "/repos/acme/site/issues/7/comments";

interface Seen {
    method: string;
    path: string;
    query: URLSearchParams;
    authorization: string;
    accept: string;
}

/** A forge holding the comments of pull request 7 of acme/site; records every request. */
function fakeForge() {
    const state = {
        comments: [] as Array<{ id: number; body: string }>,
        requests: [] as Seen[],
        nextId: 1,
        giteaPages: false,
        refuse: undefined as { status: number; message: string } | undefined,
    };
    const read = (req: IncomingMessage) =>
        new Promise<string>((resolve) => {
            let data = "";
            req.on("data", (c: Buffer) => (data += c.toString()));
            req.on("end", () => resolve(data));
        });
    const server = createServer((req, res) => {
        void (async () => {
            const url = new URL(req.url!, "http://x");
            const gitea = url.pathname.startsWith("/api/v1/");
            const path = url.pathname.replace(/^\/api\/v1/, "");
            state.requests.push({
                method: req.method!,
                path,
                query: url.searchParams,
                authorization: req.headers.authorization ?? "",
                accept: req.headers.accept ?? "",
            });
            const send = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(body));
            };
            if (state.refuse) return send(state.refuse.status, { message: state.refuse.message });
            const shown = (c: { id: number; body: string }) => ({ ...c, html_url: `http://forge/acme/site/pulls/7#issuecomment-${c.id}` });
            if (req.method === "GET" && path === LIST) {
                if (gitea && !state.giteaPages) return send(200, state.comments.map(shown));
                const size = Math.min(Number(url.searchParams.get(gitea ? "limit" : "per_page") ?? 30), gitea ? 50 : 100);
                const page = Number(url.searchParams.get("page") ?? 1);
                return send(200, state.comments.slice((page - 1) * size, page * size).map(shown));
            }
            if (req.method === "POST" && path === LIST) {
                const c = { id: state.nextId++, body: (JSON.parse(await read(req)) as { body: string }).body };
                state.comments.push(c);
                return send(201, shown(c));
            }
            const edit = /^\/repos\/acme\/site\/issues\/comments\/(\d+)$/.exec(path);
            if (req.method === "PATCH" && edit) {
                const c = state.comments.find((x) => x.id === Number(edit[1]));
                if (!c) return send(404, { message: "not found" });
                c.body = (JSON.parse(await read(req)) as { body: string }).body;
                return send(200, shown(c));
            }
            send(404, { message: `no route ${req.method} ${path}` });
        })();
    });
    return {
        server,
        state,
        add: (body: string) => state.comments.push({ id: state.nextId++, body }),
        bodies: () => state.comments.map((c) => c.body),
        reset: () => Object.assign(state, { comments: [], requests: [], nextId: 1, giteaPages: false, refuse: undefined }),
    };
}

describe("preview comment poster", () => {
    const forge = fakeForge();
    let base: string;
    beforeAll(async () => {
        await new Promise<void>((r) => forge.server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(forge.server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => forge.server.close(() => r())));
    beforeEach(() => forge.reset());

    const cases: Array<{ forge: Forge; api: () => string; authorization: string; accept: string }> = [
        { forge: "github", api: () => base, authorization: `Bearer ${TOKEN}`, accept: "application/vnd.github+json" },
        { forge: "gitea", api: () => `${base}/api/v1`, authorization: `token ${TOKEN}`, accept: "application/json" },
    ];

    for (const c of cases) {
        describe(c.forge, () => {
            const post = (body: string, apiUrl = c.api()) =>
                upsertPreviewComment({ forge: c.forge, apiUrl, repo: "acme/site", pullRequest: 7, token: TOKEN, body });
            const gets = () => forge.state.requests.filter((r) => r.method === "GET");

            it("creates the comment on the first push, then edits that one, leaving the others alone", async () => {
                forge.add("a reviewer's comment");
                const first = await post(`${MARKER}\nfirst push`);
                expect(first).toEqual({ action: "created", id: 2, url: "http://forge/acme/site/pulls/7#issuecomment-2" });
                forge.add("another reviewer's comment");
                const second = await post(`${MARKER}\nsecond push`);
                expect(second).toEqual({ ...first, action: "updated" });
                expect(forge.bodies()).toEqual(["a reviewer's comment", `${MARKER}\nsecond push`, "another reviewer's comment"]);
                expect(forge.state.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
                    `GET ${LIST}`,
                    `POST ${LIST}`,
                    `GET ${LIST}`,
                    "PATCH /repos/acme/site/issues/comments/2",
                ]);
            });

            it(`authenticates with "${c.authorization.split(" ")[0]} <token>" and asks for ${c.accept}`, async () => {
                await post(`${MARKER}\nx`);
                await post(`${MARKER}\ny`);
                expect(new Set(forge.state.requests.map((r) => r.authorization))).toEqual(new Set([c.authorization]));
                expect(new Set(forge.state.requests.map((r) => r.accept))).toEqual(new Set([c.accept]));
            });

            it("finds its comment past the first page", async () => {
                for (let i = 0; i < 130; i++) forge.add(`chatter ${i}`);
                forge.add(`${MARKER}\nold`);
                expect((await post(`${MARKER}\nnew`)).action).toBe("updated");
                expect(forge.bodies().filter((b) => b.startsWith(MARKER))).toEqual([`${MARKER}\nnew`]);
                const query = (r: Seen) => Object.fromEntries(r.query);
                if (c.forge === "github") expect(gets().map(query)).toEqual([1, 2].map((page) => ({ per_page: "100", page: String(page) })));
                // Gitea answered every comment at once: the marker was in the first answer.
                else expect(gets().map(query)).toEqual([{ page: "1", limit: "50" }]);
            });

            it("stops listing at the last page, and creates when no comment carries the marker", async () => {
                for (let i = 0; i < 120; i++) forge.add(`chatter ${i}`);
                expect((await post(`${MARKER}\nnew`)).action).toBe("created");
                // GitHub: pages of 100, 20; Gitea repeats everything on page 2, which ends the search.
                expect(gets()).toHaveLength(2);
            });

            it("refused requests name the method, the URL and the fix, and never the token", async () => {
                const expected = [
                    [401, /the token is missing or invalid: set SLIPWAY_FORGE_TOKEN/],
                    [403, /the token cannot write comments on acme\/site: give it issues\/pull-requests write permission/],
                    [404, /the token cannot write comments on acme\/site: give it issues\/pull-requests write permission/],
                    [422, /the forge refused the request: body says \[token\]/],
                ] as const;
                for (const [status, fix] of expected) {
                    // A forge that echoes the token back still does not get it printed.
                    forge.state.refuse = { status, message: `body says ${TOKEN}` };
                    const error = (await post(`${MARKER}\nx`).catch((e: unknown) => e)) as Error;
                    expect(error.message).toContain(`GET ${c.api()}${LIST}?`);
                    expect(error.message).toContain(`HTTP ${status}`);
                    expect(error.message).toMatch(fix);
                    expect(error.message).not.toContain(TOKEN);
                }
            });

            it("an unreachable forge names the URL to check", async () => {
                const closed = createServer();
                await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
                const port = (closed.address() as AddressInfo).port;
                await new Promise<void>((r) => closed.close(() => r()));
                await expect(post(`${MARKER}\nx`, `http://127.0.0.1:${port}`)).rejects.toThrow(
                    new RegExp(`GET http://127\\.0\\.0\\.1:${port}/repos/acme/site/issues/7/comments.*no response.*ECONNREFUSED.*check the API URL`),
                );
            });
        });
    }

    it("a Gitea that pages is searched page by page", async () => {
        forge.state.giteaPages = true;
        for (let i = 0; i < 120; i++) forge.add(`chatter ${i}`);
        forge.add(`${MARKER}\nold`);
        const posted = await upsertPreviewComment({
            forge: "gitea",
            apiUrl: `${base}/api/v1`,
            repo: "acme/site",
            pullRequest: 7,
            token: TOKEN,
            body: `${MARKER}\nnew`,
        });
        expect(posted).toMatchObject({ action: "updated", id: 121 });
        expect(forge.state.requests.filter((r) => r.method === "GET").map((r) => r.query.get("page"))).toEqual(["1", "2", "3"]);
    });

    it(`reads at most ${MAX_PAGES} pages, then posts`, async () => {
        const seen: string[] = [];
        let id = 0;
        const endless = ((url: string, init: RequestInit) => {
            seen.push(`${init.method} ${url}`);
            const body = init.method === "GET" ? Array.from({ length: 100 }, () => ({ id: ++id, body: "chatter" })) : { id: ++id, html_url: "http://forge/c" };
            return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
        }) as typeof fetch;
        const posted = await upsertPreviewComment({
            forge: "github",
            apiUrl: "http://forge.invalid",
            repo: "acme/site",
            pullRequest: 7,
            token: TOKEN,
            body: `${MARKER}\nx`,
            fetch: endless,
        });
        expect(posted.action).toBe("created");
        expect(seen.filter((s) => s.startsWith("GET"))).toHaveLength(MAX_PAGES);
        expect(seen.at(-1)).toBe("POST http://forge.invalid/repos/acme/site/issues/7/comments");
    });

    it("refuses a body without the marker (the next push could not find it), before any request", async () => {
        await expect(
            upsertPreviewComment({ forge: "github", apiUrl: base, repo: "acme/site", pullRequest: 7, token: TOKEN, body: "no marker" }),
        ).rejects.toThrow(/does not start with <!-- slipway-preview -->.*npm run preview:comment/);
        expect(forge.state.requests).toEqual([]);
    });
});

describe("forge context from the CI's environment", () => {
    const event = (payload: unknown) => () => JSON.stringify(payload);
    const pr = (n: number) => event({ pull_request: { number: n } });
    const woodpecker = {
        CI: "woodpecker",
        CI_FORGE_TYPE: "gitea",
        CI_FORGE_URL: "https://git.example.org/",
        CI_REPO: "acme/site",
        CI_COMMIT_PULL_REQUEST: "12",
    };
    const actions = { GITHUB_ACTIONS: "true", GITHUB_API_URL: "https://api.github.com", GITHUB_REPOSITORY: "acme/site", GITHUB_EVENT_PATH: "/run/event.json" };
    const never = () => {
        throw new Error("no event file here");
    };

    it("Woodpecker: Gitea and Forgejo under /api/v1, github.com and GitHub Enterprise", () => {
        expect(forgeContext(woodpecker, never)).toEqual({ forge: "gitea", apiUrl: "https://git.example.org/api/v1", repo: "acme/site", pullRequest: 12 });
        expect(forgeContext({ ...woodpecker, CI_FORGE_TYPE: "forgejo" }, never)).toMatchObject({ forge: "gitea", apiUrl: "https://git.example.org/api/v1" });
        const github = {
            CI: "woodpecker",
            CI_FORGE_TYPE: "github",
            CI_FORGE_URL: "https://github.com",
            CI_REPO_OWNER: "acme",
            CI_REPO_NAME: "site",
            CI_COMMIT_PULL_REQUEST: "3",
        };
        expect(forgeContext(github, never)).toEqual({ forge: "github", apiUrl: "https://api.github.com", repo: "acme/site", pullRequest: 3 });
        expect(forgeContext({ ...github, CI_FORGE_URL: "https://github.example.org" }, never)).toMatchObject({ apiUrl: "https://github.example.org/api/v3" });
    });

    it("GitHub Actions and Gitea Actions: the pull request from the event file", () => {
        expect(forgeContext(actions, (path) => (path === "/run/event.json" ? pr(5)() : never()))).toEqual({
            forge: "github",
            apiUrl: "https://api.github.com",
            repo: "acme/site",
            pullRequest: 5,
        });
        const gitea = { ...actions, GITEA_ACTIONS: "true", GITHUB_API_URL: "https://git.example.org/api/v1" };
        expect(forgeContext(gitea, pr(6))).toEqual({ forge: "gitea", apiUrl: "https://git.example.org/api/v1", repo: "acme/site", pullRequest: 6 });
    });

    it("each flag overrides its part; flags alone do outside CI", () => {
        expect(forgeContext(woodpecker, never, { pullRequest: 99, repo: "acme/other" })).toEqual({
            forge: "gitea",
            apiUrl: "https://git.example.org/api/v1",
            repo: "acme/other",
            pullRequest: 99,
        });
        const flags = { forge: "github", apiUrl: "https://api.github.com", repo: "acme/site", pullRequest: 1 } as const;
        expect(forgeContext({}, never, flags)).toEqual(flags);
    });

    it("names each variable that is missing, and the flag that would do instead", () => {
        expect(() => forgeContext({ ...woodpecker, CI_COMMIT_PULL_REQUEST: undefined }, never)).toThrow(
            /CI_COMMIT_PULL_REQUEST is not a pull request number: Woodpecker sets it on pull_request events only.*\(or pass --pr\)/,
        );
        expect(() => forgeContext({ CI: "woodpecker" }, never)).toThrow(
            /- CI_FORGE_TYPE is not set \(or pass --forge\)\n {2}- CI_FORGE_URL is not set \(or pass --api-url\)\n {2}- CI_REPO \(or CI_REPO_OWNER and CI_REPO_NAME\) is not set \(or pass --repo\)\n {2}- CI_COMMIT_PULL_REQUEST/,
        );
        expect(() => forgeContext({ ...woodpecker, CI_FORGE_TYPE: "gitlab" }, never)).toThrow(
            /CI_FORGE_TYPE is "gitlab": preview:post speaks GitHub's and Gitea\/Forgejo's API only \(or pass --forge\)/,
        );
        expect(() => forgeContext(actions, event({ ref: "refs/heads/main" }))).toThrow(
            /the event has no pull_request.number: run the preview workflow on pull_request events only \(or pass --pr\)/,
        );
        expect(() => forgeContext(actions, never)).toThrow(/GITHUB_EVENT_PATH \(\/run\/event.json\) is not a readable JSON event: no event file here/);
        expect(() => forgeContext({ GITHUB_ACTIONS: "true" }, never)).toThrow(
            /GITHUB_API_URL is not set \(or pass --api-url\)\n {2}- GITHUB_REPOSITORY is not set \(or pass --repo\)\n {2}- GITHUB_EVENT_PATH is not set \(or pass --pr\)/,
        );
        expect(() => forgeContext({}, never, { forge: "gitea" })).toThrow(
            /\(not in Woodpecker, GitHub Actions or Gitea Actions\):\n {2}- pass --api-url\n {2}- pass --repo\n {2}- pass --pr$/,
        );
    });
});
