// Forge event bodies. Slipway runs no webhook receiver: the one body a forge sends that it
// parses is the Actions event payload (the pull_request webhook body GitHub and Gitea/Forgejo
// Actions write to GITHUB_EVENT_PATH), read by `preview:post` to find the pull request.
import fc from "fast-check";
import { forgeContext } from "../../../tooling/preview/forgeContext";
import type { FuzzTarget, Outcome } from "../harness";
import { jsonValueArb, mutateText, mutationArb, type Mutation } from "../mutate";

/** A pull_request event as GitHub writes it (the fields around the number, abridged). */
const EVENT = Buffer.from(
    JSON.stringify({
        action: "synchronize",
        number: 42,
        pull_request: {
            id: 1838447209,
            number: 42,
            state: "open",
            title: "Promote web",
            head: { ref: "feature", sha: "5b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c" },
            base: { ref: "main" },
            user: { login: "octocat" },
        },
        repository: { full_name: "acme/site", id: 1 },
        sender: { login: "octocat" },
    }),
);

type ForgeCase = { kind: "mutated"; mutation: Mutation; gitea: boolean } | { kind: "generated"; body: string; gitea: boolean };

/** The pull request number the body names, read apart from forgeContext: the oracle. */
function numberIn(body: Buffer): unknown {
    try {
        const event = JSON.parse(body.toString("utf8")) as unknown;
        const pr = event !== null && typeof event === "object" ? (event as { pull_request?: unknown }).pull_request : undefined;
        return pr !== null && typeof pr === "object" ? (pr as { number?: unknown }).number : undefined;
    } catch {
        return undefined;
    }
}

export const forgeEvents: FuzzTarget<ForgeCase> = {
    name: "forge event body (GITHUB_EVENT_PATH)",
    about: "no code receives forge webhooks over HTTP; the Actions event payload preview:post reads (a pull_request webhook body) is fuzzed instead: a GitHub-shaped event mutated, and generated bodies",
    arbitrary: () =>
        fc.oneof(
            { weight: 3, arbitrary: fc.record({ kind: fc.constant("mutated" as const), mutation: mutationArb, gitea: fc.boolean() }) },
            {
                weight: 1,
                arbitrary: fc.record({
                    kind: fc.constant("generated" as const),
                    body: fc.oneof(
                        fc
                            .record(
                                {
                                    pull_request: fc.oneof(
                                        fc.record({ number: fc.oneof(fc.integer(), fc.double(), jsonValueArb) }, { requiredKeys: [] }),
                                        jsonValueArb,
                                    ),
                                },
                                { requiredKeys: [] },
                            )
                            .map((v) => JSON.stringify(v)),
                        jsonValueArb.map((v) => JSON.stringify(v)),
                        fc.string({ unit: "binary", maxLength: 40 }),
                    ),
                    gitea: fc.boolean(),
                }),
            },
        ),
    run(input): Outcome {
        const body = input.kind === "mutated" ? mutateText(EVENT, input.mutation) : Buffer.from(input.body);
        const env = {
            GITHUB_ACTIONS: "true",
            ...(input.gitea ? { GITEA_ACTIONS: "true" } : {}),
            GITHUB_API_URL: "https://api.github.com",
            GITHUB_REPOSITORY: "acme/site",
            GITHUB_EVENT_PATH: "/run/event.json",
        };
        const context = forgeContext(env, () => body.toString("utf8"));
        const n = numberIn(body);
        if (!Number.isSafeInteger(context.pullRequest) || context.pullRequest <= 0 || context.pullRequest !== n)
            return { falseAccept: `pull request ${String(context.pullRequest)} from a body naming ${JSON.stringify(n)}` };
        return { accept: "a pull request number" };
    },
    // forgeContext's contract: one plain Error listing what is missing and how to pass it.
    typed: (error): error is Error =>
        error instanceof Error && error.constructor === Error && error.message.startsWith("cannot tell where to post the preview"),
    reasonOf: (error) =>
        /GITHUB_EVENT_PATH .* is not a readable JSON event/.test(error.message)
            ? "the event is not JSON"
            : /no pull_request.number/.test(error.message)
              ? "the event has no pull_request.number"
              : (error.message.split("\n")[1]?.slice(0, 60) ?? error.message),
};
