// The preview comment poster against a loopback server speaking the subset of GitHub's and
// Gitea's issue-comment APIs it uses (no real GitHub or Gitea is reachable from this machine):
// one marker comment per pull request, edited in place; paging; the token only in its header.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MARKER } from "../../lib/preview/comment";
import { forgeContext } from "../../lib/preview/forgeContext";
import { upsertPreviewComment, type Forge } from "../../lib/preview/post";

const TOKEN = "forge-token-5c1e-never-printed";

interface Stored {
    id: number;
    body: string;
}

/** A forge holding comments on pull request 7 of acme/site; records each request's auth header. */
function fakeForge() {
    const comments: Stored[] = [];
    const auth: string[] = [];
    let nextId = 1;
    let refuse: number | undefined;
    const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
        let data = "";
        req.on("data", (c: Buffer) => (data += c.toString()));
        req.on("end", () => resolve(data));
    });
    const server: Server = createServer((req, res) => {
        void (async () => {
            auth.push(req.headers.authorization ?? "");
            const url = new URL(req.url!, "http://x");
            const path = url.pathname.replace(/^\/api\/v1/, "");
            const send = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(body));
            };
            if (refuse) return send(refuse, { message: "no" });
            const html = (c: Stored) => ({ ...c, html_url: `http://forge/acme/site/pulls/7#issuecomment-${c.id}` });
            if (req.method === "GET" && path === "/repos/acme/site/issues/7/comments") {
                const size = Number(url.searchParams.get("per_page") ?? url.searchParams.get("limit"));
                const page = Number(url.searchParams.get("page"));
                return send(200, comments.slice((page - 1) * size, page * size).map(html));
            }
            if (req.method === "POST" && path === "/repos/acme/site/issues/7/comments") {
                const c = { id: nextId++, body: (JSON.parse(await read(req)) as { body: string }).body };
                comments.push(c);
                return send(201, html(c));
            }
            const edit = /^\/repos\/acme\/site\/issues\/comments\/(\d+)$/.exec(path);
            if (req.method === "PATCH" && edit) {
                const c = comments.find((x) => x.id === Number(edit[1]));
                if (!c) return send(404, { message: "not found" });
                c.body = (JSON.parse(await read(req)) as { body: string }).body;
                return send(200, html(c));
            }
            send(404, { message: `no route ${req.method} ${path}` });
        })();
    });
    return {
        server,
        comments,
        auth,
        add: (body: string) => comments.push({ id: nextId++, body }),
        refuseWith: (status: number | undefined) => (refuse = status),
        reset: () => {
            comments.length = 0;
            auth.length = 0;
            refuse = undefined;
        },
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

    const cases: Array<{ forge: Forge; api: () => string; header: string }> = [
        { forge: "github", api: () => base, header: `Bearer ${TOKEN}` },
        { forge: "gitea", api: () => `${base}/api/v1`, header: `token ${TOKEN}` },
    ];

    for (const c of cases) {
        describe(c.forge, () => {
            const post = (body: string) => upsertPreviewComment({ forge: c.forge, apiUrl: c.api(), repo: "acme/site", pullRequest: 7, token: TOKEN, body });

            it("creates the comment once, then edits that one on the next push, leaving others alone", async () => {
                forge.add("a reviewer's comment");
                const first = await post(`${MARKER}\nfirst push`);
                expect(first.action).toBe("created");
                const second = await post(`${MARKER}\nsecond push`);
                expect(second).toMatchObject({ action: "updated", id: first.id });
                expect(forge.comments.map((x) => x.body)).toEqual(["a reviewer's comment", `${MARKER}\nsecond push`]);
                expect(new Set(forge.auth)).toEqual(new Set([c.header]));
            });

            it("finds its comment past the first page", async () => {
                for (let i = 0; i < 130; i++) forge.add(`chatter ${i}`);
                forge.add(`${MARKER}\nold`);
                const posted = await post(`${MARKER}\nnew`);
                expect(posted.action).toBe("updated");
                expect(forge.comments.filter((x) => x.body.startsWith(MARKER))).toHaveLength(1);
            });

            it("a refused token says what to fix, and never shows the token", async () => {
                for (const [status, fix] of [[401, /set SLIPWAY_FORGE_TOKEN/], [403, /give it issues\/pull-requests write permission/]] as const) {
                    forge.refuseWith(status);
                    const error = (await post(`${MARKER}\nx`).catch((e: unknown) => e)) as Error;
                    expect(error.message).toMatch(new RegExp(`HTTP ${status}`));
                    expect(error.message).toMatch(fix);
                    expect(error.message).not.toContain(TOKEN);
                }
            });
        });
    }

    it("refuses a body without the marker: the next push could not find it", async () => {
        await expect(upsertPreviewComment({ forge: "github", apiUrl: base, repo: "acme/site", pullRequest: 7, token: TOKEN, body: "no marker" })).rejects.toThrow(/does not start with <!-- slipway-preview -->/);
        expect(forge.comments).toEqual([]);
    });
});

describe("forge context from the CI's environment", () => {
    const event = (n?: number) => () => JSON.stringify(n ? { pull_request: { number: n } } : { push: {} });

    it("Woodpecker with a Gitea forge", () => {
        expect(forgeContext({ CI: "woodpecker", CI_FORGE_TYPE: "gitea", CI_FORGE_URL: "https://git.example.org/", CI_REPO: "acme/site", CI_COMMIT_PULL_REQUEST: "12" }, event())).toEqual({ forge: "gitea", apiUrl: "https://git.example.org/api/v1", repo: "acme/site", pullRequest: 12 });
        expect(forgeContext({ CI: "woodpecker", CI_FORGE_TYPE: "github", CI_FORGE_URL: "https://github.com", CI_REPO_OWNER: "acme", CI_REPO_NAME: "site", CI_COMMIT_PULL_REQUEST: "3" }, event())).toMatchObject({ forge: "github", apiUrl: "https://api.github.com", repo: "acme/site" });
    });

    it("GitHub Actions and Gitea Actions, from the event file", () => {
        expect(forgeContext({ GITHUB_ACTIONS: "true", GITHUB_API_URL: "https://api.github.com", GITHUB_REPOSITORY: "acme/site", GITHUB_EVENT_PATH: "/e.json" }, event(5))).toEqual({ forge: "github", apiUrl: "https://api.github.com", repo: "acme/site", pullRequest: 5 });
        expect(forgeContext({ GITHUB_ACTIONS: "true", GITEA_ACTIONS: "true", GITHUB_API_URL: "https://git.example.org/api/v1", GITHUB_REPOSITORY: "acme/site", GITHUB_EVENT_PATH: "/e.json" }, event(6))).toMatchObject({ forge: "gitea", pullRequest: 6 });
    });

    it("names what is missing", () => {
        expect(() => forgeContext({ CI: "woodpecker", CI_FORGE_URL: "https://git.example.org", CI_REPO: "acme/site" }, event())).toThrow(/CI_COMMIT_PULL_REQUEST is not set: run the preview on pull_request events only/);
        expect(() => forgeContext({ GITHUB_ACTIONS: "true", GITHUB_API_URL: "https://api.github.com", GITHUB_REPOSITORY: "acme/site", GITHUB_EVENT_PATH: "/e.json" }, event())).toThrow(/not a pull request/);
        expect(() => forgeContext({}, event())).toThrow(/pass --forge, --api-url, --repo and --pr/);
    });
});
