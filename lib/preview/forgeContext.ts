// Where to post a pull request's preview comment, read from the CI's own environment:
// Woodpecker (CI=woodpecker), GitHub Actions, or Gitea/Forgejo Actions (GitHub-compatible
// variables, GITEA_ACTIONS=true, its GITHUB_API_URL already ending in /api/v1). Pure.
import type { Forge } from "./post";

export interface ForgeContext {
    forge: Forge;
    apiUrl: string;
    repo: string;
    pullRequest: number;
}

export function forgeContext(env: NodeJS.ProcessEnv, readFile: (path: string) => string): ForgeContext {
    const missing = (what: string) => new Error(`cannot tell where to post the preview: ${what}`);
    if (env.CI === "woodpecker") {
        const forge: Forge = env.CI_FORGE_TYPE === "github" ? "github" : "gitea";
        const url = env.CI_FORGE_URL;
        const repo = env.CI_REPO ?? (env.CI_REPO_OWNER && env.CI_REPO_NAME ? `${env.CI_REPO_OWNER}/${env.CI_REPO_NAME}` : undefined);
        const pr = Number(env.CI_COMMIT_PULL_REQUEST);
        if (!url) throw missing("CI_FORGE_URL is not set (Woodpecker sets it for pipelines)");
        if (!repo) throw missing("CI_REPO is not set");
        if (!Number.isInteger(pr) || pr < 1) throw missing("CI_COMMIT_PULL_REQUEST is not set: run the preview on pull_request events only");
        // github.com's API lives elsewhere than its web URL; a Gitea/Forgejo's under /api/v1.
        const apiUrl = forge === "github" ? (/^https:\/\/github\.com\/?$/.test(url) ? "https://api.github.com" : `${url.replace(/\/+$/, "")}/api/v3`) : `${url.replace(/\/+$/, "")}/api/v1`;
        return { forge, apiUrl, repo, pullRequest: pr };
    }
    if (env.GITHUB_ACTIONS === "true" || env.GITEA_ACTIONS === "true") {
        const apiUrl = env.GITHUB_API_URL;
        const repo = env.GITHUB_REPOSITORY;
        if (!apiUrl) throw missing("GITHUB_API_URL is not set");
        if (!repo) throw missing("GITHUB_REPOSITORY is not set");
        if (!env.GITHUB_EVENT_PATH) throw missing("GITHUB_EVENT_PATH is not set");
        const event = JSON.parse(readFile(env.GITHUB_EVENT_PATH)) as { pull_request?: { number?: number } };
        const pr = event.pull_request?.number;
        if (!pr) throw missing("the event is not a pull request: run the preview workflow on pull_request only");
        return { forge: env.GITEA_ACTIONS === "true" ? "gitea" : "github", apiUrl, repo, pullRequest: pr };
    }
    throw missing("not Woodpecker (CI=woodpecker), GitHub Actions or Gitea Actions: pass --forge, --api-url, --repo and --pr");
}
