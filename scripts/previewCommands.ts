// The `/preview` comment-command service (lib/ci/previewCommand decides): the platform runs it
// beside its CI, in the preview step image, and the forge's issue-comment system hook reaches it
// at https://ci.<domain>/slipway/hook. It answers every request and logs one line per request
// saying what it did and why; secrets come from files (swarm secrets), never the environment's
// values or a log. Imports nothing of Slipway's but lib/ci/previewCommand (the image holds both).
//   PORT (8080), SLIPWAY_HOOK_SECRET_FILE, SLIPWAY_FORGE_URL, SLIPWAY_FORGE_USERNAME,
//   SLIPWAY_FORGE_PASSWORD_FILE (the forge's admin: it may read any user's permission),
//   SLIPWAY_CI_URL (the CI server inside the site), SLIPWAY_CI_TOKEN_FILE (a CI admin's token).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { handleHook, type CommandDeps } from "../lib/ci/previewCommand";

/** The largest hook body read (Gitea's issue-comment payloads are a few KiB). */
const MAX_BODY = 1 << 20;
const TIMEOUT_MS = 30_000;

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: the platform's CI stack sets it (ci.previews with the ciPreviewCommandToken secret)`);
    return value;
}
const secretFile = (name: string) => readFileSync(required(name), "utf8").trim();

async function json<T>(url: string, init: RequestInit & { headers: Record<string, string> }, what: string): Promise<T> {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${what}: ${init.method ?? "GET"} ${new URL(url).pathname} answered ${res.status}`);
    return (await res.json()) as T;
}

function deps(): CommandDeps {
    const forge = required("SLIPWAY_FORGE_URL").replace(/\/+$/, "");
    const ci = required("SLIPWAY_CI_URL").replace(/\/+$/, "");
    // Read at each request: a rotated secret reaches the service as a new file and a restart, never a stale copy.
    const forgeAuth = () => ({
        authorization: `Basic ${Buffer.from(`${required("SLIPWAY_FORGE_USERNAME")}:${secretFile("SLIPWAY_FORGE_PASSWORD_FILE")}`).toString("base64")}`,
    });
    const ciAuth = () => ({ authorization: `Bearer ${secretFile("SLIPWAY_CI_TOKEN_FILE")}` });
    return {
        async permission(repo, user) {
            const answer = await json<{ permission?: unknown }>(
                `${forge}/api/v1/repos/${repo}/collaborators/${encodeURIComponent(user)}/permission`,
                { headers: forgeAuth() },
                "the forge",
            );
            return typeof answer.permission === "string" ? answer.permission : "none";
        },
        async pullRequest(repo, number) {
            const pr = await json<{ state?: unknown; head?: { sha?: unknown } }>(
                `${forge}/api/v1/repos/${repo}/pulls/${number}`,
                { headers: forgeAuth() },
                "the forge",
            );
            return { state: String(pr.state), headSha: String(pr.head?.sha) };
        },
        async rerun(repo, pullRequest, headSha) {
            const { id } = await json<{ id: number }>(`${ci}/api/repos/lookup/${repo}`, { headers: ciAuth() }, "the CI");
            const pipelines = await json<Array<{ number: number; event: string; commit: string }>>(
                `${ci}/api/repos/${id}/pipelines?page=1`,
                { headers: ciAuth() },
                "the CI",
            );
            const last = pipelines.find((p) => p.event === "pull_request" && p.commit === headSha);
            if (!last)
                throw new Error(
                    `no pull-request pipeline of ${repo} ran for ${headSha} yet (#${pullRequest}): push to the pull request, or activate previews for the repository (ci:repo --preview)`,
                );
            const started = await json<{ number: number }>(`${ci}/api/repos/${id}/pipelines/${last.number}`, { method: "POST", headers: ciAuth() }, "the CI");
            return `pipeline ${started.number} (a re-run of ${last.number})`;
        },
    };
}

function main() {
    const port = Number(process.env.PORT ?? 8080);
    const api = deps();
    const secret = () => secretFile("SLIPWAY_HOOK_SECRET_FILE");
    createServer((req, res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) req.destroy();
            else chunks.push(chunk);
        });
        req.on("end", () => {
            if (req.method !== "POST" || req.url !== "/slipway/hook") {
                res.writeHead(req.url === "/slipway/health" ? 200 : 404).end();
                return;
            }
            handleHook({ headers: req.headers, body: Buffer.concat(chunks) }, secret(), api)
                .catch((error: Error) => ({ status: 502, ran: false, log: `failed: ${error.message}` }))
                .then((outcome) => {
                    process.stdout.write(`${new Date().toISOString()} ${outcome.log}\n`);
                    res.writeHead(outcome.status, { "content-type": "text/plain" }).end(`${outcome.log}\n`);
                })
                .catch(() => res.destroy());
        });
    }).listen(port, () => process.stdout.write(`slipway /preview commands on :${port}\n`));
}

main();
