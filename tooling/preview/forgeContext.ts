// Where to post a pull request's preview comment, read from the CI's own environment, each
// field overridable by the script's flag. Pure: the environment and the event-file reader are
// arguments. What each CI sets (checked against their sources):
//   Woodpecker (CI=woodpecker): CI_FORGE_TYPE, CI_FORGE_URL (the forge's web root), CI_REPO or
//     CI_REPO_OWNER + CI_REPO_NAME, CI_COMMIT_PULL_REQUEST (pull_request events only).
//   GitHub Actions (GITHUB_ACTIONS=true): GITHUB_API_URL, GITHUB_REPOSITORY, and the event
//     payload at GITHUB_EVENT_PATH, whose pull_request.number is the pull request.
//   Gitea/Forgejo Actions: the same GitHub variables, plus GITEA_ACTIONS=true (Forgejo's runner
//     sets it too); its GITHUB_API_URL is already the instance's /api/v1.
import type { Forge } from "./post";

export interface ForgeContext {
    forge: Forge;
    apiUrl: string;
    repo: string;
    pullRequest: number;
}

/** The flag that sets each field, named in errors beside the variable. */
export const FLAGS: Record<keyof ForgeContext, string> = { forge: "--forge", apiUrl: "--api-url", repo: "--repo", pullRequest: "--pr" };

/** Per field: the value the CI gave, or what to set when it gave none. */
type Found = { [K in keyof ForgeContext]: { value: ForgeContext[K] } | { missing: string } };

export function forgeContext(env: NodeJS.ProcessEnv, readFile: (path: string) => string, flags: Partial<ForgeContext> = {}): ForgeContext {
    const found =
        env.CI === "woodpecker"
            ? fromWoodpecker(env, flags.forge)
            : env.GITHUB_ACTIONS === "true" || env.GITEA_ACTIONS === "true"
              ? fromActions(env, readFile)
              : undefined;
    const issues: string[] = [];
    const pick = <K extends keyof ForgeContext>(key: K): ForgeContext[K] => {
        const given = flags[key];
        if (given !== undefined) return given;
        const f = found?.[key];
        if (f && "value" in f) return f.value;
        issues.push(f ? `${f.missing} (or pass ${FLAGS[key]})` : `pass ${FLAGS[key]}`);
        return undefined as never;
    };
    const context: ForgeContext = { forge: pick("forge"), apiUrl: pick("apiUrl"), repo: pick("repo"), pullRequest: pick("pullRequest") };
    if (issues.length === 0) return context;
    const where = found ? "" : " (not in Woodpecker, GitHub Actions or Gitea Actions)";
    throw new Error(`cannot tell where to post the preview${where}:\n  - ${issues.join("\n  - ")}`);
}

function fromWoodpecker(env: NodeJS.ProcessEnv, forgeFlag: Forge | undefined): Found {
    const type = env.CI_FORGE_TYPE;
    const detected: Forge | undefined = type === "github" ? "github" : type === "gitea" || type === "forgejo" ? "gitea" : undefined;
    const forge = forgeFlag ?? detected;
    const url = env.CI_FORGE_URL?.replace(/\/+$/, "");
    const repo = env.CI_REPO || (env.CI_REPO_OWNER && env.CI_REPO_NAME ? `${env.CI_REPO_OWNER}/${env.CI_REPO_NAME}` : undefined);
    return {
        forge: detected
            ? { value: detected }
            : { missing: type ? `CI_FORGE_TYPE is "${type}": preview:post speaks GitHub's and Gitea/Forgejo's API only` : "CI_FORGE_TYPE is not set" },
        apiUrl:
            url && forge
                ? { value: woodpeckerApi(forge, url) }
                : { missing: url ? "CI_FORGE_URL needs a GitHub or Gitea/Forgejo forge" : "CI_FORGE_URL is not set" },
        repo: repo ? { value: repo } : { missing: "CI_REPO (or CI_REPO_OWNER and CI_REPO_NAME) is not set" },
        pullRequest: prNumber(
            env.CI_COMMIT_PULL_REQUEST,
            "CI_COMMIT_PULL_REQUEST is not a pull request number: Woodpecker sets it on pull_request events only, so run the preview on those",
        ),
    };
}

/** Woodpecker knows the forge's web root; the API sits elsewhere on github.com and GitHub Enterprise. */
function woodpeckerApi(forge: Forge, url: string): string {
    if (forge === "gitea") return `${url}/api/v1`;
    return /^https:\/\/github\.com$/.test(url) ? "https://api.github.com" : `${url}/api/v3`;
}

function fromActions(env: NodeJS.ProcessEnv, readFile: (path: string) => string): Found {
    const forge: Forge = env.GITEA_ACTIONS === "true" ? "gitea" : "github";
    return {
        forge: { value: forge },
        apiUrl: env.GITHUB_API_URL ? { value: env.GITHUB_API_URL.replace(/\/+$/, "") } : { missing: "GITHUB_API_URL is not set" },
        repo: env.GITHUB_REPOSITORY ? { value: env.GITHUB_REPOSITORY } : { missing: "GITHUB_REPOSITORY is not set" },
        pullRequest: eventPullRequest(env.GITHUB_EVENT_PATH, readFile),
    };
}

function eventPullRequest(path: string | undefined, readFile: (path: string) => string): Found["pullRequest"] {
    if (!path) return { missing: "GITHUB_EVENT_PATH is not set" };
    let event: unknown;
    try {
        event = JSON.parse(readFile(path));
    } catch (error) {
        return { missing: `GITHUB_EVENT_PATH (${path}) is not a readable JSON event: ${(error as Error).message}` };
    }
    // The body is the forge's: any JSON at all (`null`, a list) must read as "no pull request".
    const field = (value: unknown, key: string): unknown =>
        value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
    const n = field(field(event, "pull_request"), "number");
    return prNumber(
        typeof n === "number" ? String(n) : undefined,
        "the event has no pull_request.number: run the preview workflow on pull_request events only",
    );
}

function prNumber(text: string | undefined, missing: string): Found["pullRequest"] {
    const n = Number(text);
    return text && Number.isSafeInteger(n) && n > 0 ? { value: n } : { missing };
}
