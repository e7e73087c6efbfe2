// The platform's forge and CI as the e2e tier talks to them: their JSON APIs through the test's
// browser (its cookies and the site's CA), and the CI's pipelines, waited for (bounded) and read.
import type { CookieBrowser } from "./browser";

/** One API: its base URL and the Authorization header it takes. */
export interface Api {
    browser: CookieBrowser;
    base: string;
    authorization: string;
}

/** HTTP basic authorization for `user`. */
export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** One call: a JSON body out, the JSON answer back (undefined when empty); any status of 300 or more throws with the body. */
export async function call<T>(api: Api, method: string, path: string, body?: unknown): Promise<T> {
    const res = await api.browser.fetch(
        method,
        `${api.base}/${path}`,
        { authorization: api.authorization, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
        body ? JSON.stringify(body) : undefined,
    );
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
    return (res.body ? JSON.parse(res.body) : undefined) as T;
}

/** A Woodpecker pipeline, as its API reports it. */
export interface Pipeline {
    id: number;
    number: number;
    status: string;
    event: string;
    commit: string;
    workflows?: Array<{ children?: Array<{ id: number; name: string; state: string }> }>;
}

/** Waits (at most `seconds`) for the newest pipeline of the repository that `matches` to finish, and returns it whole. */
export async function finishedPipeline(ci: Api, repoId: number, matches: (p: Pipeline) => boolean, seconds: number): Promise<Pipeline> {
    for (let i = 0; i < seconds; i++) {
        const mine = (await call<Pipeline[]>(ci, "GET", `repos/${repoId}/pipelines`)).find(matches);
        if (mine && !["pending", "running"].includes(mine.status)) return call<Pipeline>(ci, "GET", `repos/${repoId}/pipelines/${mine.number}`);
        await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`no finished pipeline of repository ${repoId} matched within ${seconds} s`);
}

/** Every log line of a pipeline's steps, decoded. */
export async function pipelineLogs(ci: Api, repoId: number, pipeline: Pipeline): Promise<string> {
    const steps = (pipeline.workflows ?? []).flatMap((w) => w.children ?? []);
    const lines = await Promise.all(
        steps.map((step) => call<Array<{ data: string }> | undefined>(ci, "GET", `repos/${repoId}/logs/${pipeline.number}/${step.id}`)),
    );
    return lines
        .flatMap((l) => l ?? [])
        .map((l) => Buffer.from(l.data, "base64").toString("utf8"))
        .join("");
}
