// The `/preview` command's webhook (lib/ci/previewCommand): the one forge request Slipway
// receives over HTTP. A pull-request comment the forge signs, mutated, signed again or left with
// its old signature, under random event headers. Oracle: a preview runs only for a body whose
// signature is the secret's, a created comment on a pull request reading exactly /preview
// (checked here apart from the code); nothing throws.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { COMMAND, handleHook, type CommandDeps } from "../../../lib/ci/previewCommand";
import type { FuzzTarget, Outcome } from "../harness";
import { mutateText, mutationArb, type Mutation } from "../mutate";

const SECRET = "fuzz-hook-secret";
const BODY = Buffer.from(
    JSON.stringify({
        action: "created",
        issue: { number: 7, state: "open", pull_request: { merged: false } },
        comment: { body: COMMAND, user: { login: "maintainer" } },
        repository: { full_name: "team/app" },
        is_pull: true,
    }),
);

type HookCase = { mutation: Mutation; resign: boolean; event: string };

const sign = (body: Buffer) => createHmac("sha256", SECRET).update(body).digest("hex");
const deps: CommandDeps = {
    permission: () => Promise.resolve("write"),
    pullRequest: () => Promise.resolve({ state: "open", headSha: "c".repeat(40) }),
    rerun: () => Promise.resolve("pipeline 1"),
};

/** Whether the body is a command that must run, read apart from the code. */
function mustRun(body: Buffer, signed: boolean, event: string): boolean {
    if (!signed || event !== "issue_comment") return false;
    try {
        const p = JSON.parse(body.toString("utf8")) as {
            action?: unknown;
            issue?: { number?: unknown; pull_request?: unknown };
            comment?: { body?: unknown; user?: { login?: unknown } };
            repository?: { full_name?: unknown };
        };
        const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
        return (
            p.action === "created" &&
            isObject(p.issue?.pull_request) &&
            typeof p.comment?.body === "string" &&
            p.comment.body.trim() === COMMAND &&
            typeof p.comment.user?.login === "string" &&
            Number.isSafeInteger(p.issue?.number) &&
            typeof p.repository?.full_name === "string" &&
            /^[^/\s]+\/[^/\s]+$/.test(p.repository.full_name)
        );
    } catch {
        return false;
    }
}

export const previewHooks: FuzzTarget<HookCase> = {
    name: "/preview command webhook",
    about: "a signed pull-request comment /preview, mutated; re-signed (a valid forge request with odd content) or not (a forged one); random X-Gitea-Event: runs exactly when the oracle says it must",
    arbitrary: () =>
        fc.record({ mutation: mutationArb, resign: fc.boolean(), event: fc.constantFrom("issue_comment", "issue_comment", "push", "pull_request", "") }),
    async run(input): Promise<Outcome> {
        const body = mutateText(BODY, input.mutation);
        const signature = input.resign ? sign(body) : sign(BODY);
        const outcome = await handleHook({ headers: { "x-gitea-event": input.event, "x-gitea-signature": signature }, body }, SECRET, deps);
        const signed = signature === sign(body);
        const expected = mustRun(body, signed, input.event);
        if (outcome.ran !== expected) return { falseAccept: `ran ${String(outcome.ran)}, the oracle says ${String(expected)}: ${outcome.log}` };
        return outcome.ran
            ? { accept: "a maintainer's /preview" }
            : { reject: outcome.log.replace(/team\/app#\S+ by \S+/, "…").split(":")[0]! + ": " + (outcome.log.split(": ").pop() ?? "").slice(0, 50) };
    },
    // handleHook answers every request: it has no refusal by error.
    typed: (_error): _error is Error => false,
};
