// The `/preview` comment command: a maintainer comments exactly `/preview` on an open pull
// request and its preview runs again for the pull request's current head. The forge's
// pull-request-comment webhook (a Gitea system hook the platform registers; Gitea names the event
// issue_comment in X-Gitea-Event, as GitHub does) reaches a small service
// (scripts/previewCommands.ts), which decides here, in order, stopping at the first "no":
//   1. the body is signed with the hook's secret (HMAC-SHA256, X-Gitea-Signature), checked in
//      constant time: anything else is refused before it is even parsed;
//   2. it is a new comment on a pull request, whose text is exactly the command;
//   3. its author may write to the repository (asked of the forge, not read from the payload);
//   4. the pull request is still open; its head is read from the forge, not from the payload;
//   5. the CI re-runs the pull request's preview pipeline for that head.
// Every outcome is one log line naming why; no secret is ever part of one. Imports nothing but
// node:crypto: the service runs from this file and its own in the preview step image.
import { createHmac, timingSafeEqual } from "node:crypto";

/** The one text that runs a preview (surrounding whitespace aside). */
export const COMMAND = "/preview";

export interface HookRequest {
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
}

/** What the service asks of the forge and the CI (injected: tested without either). */
export interface CommandDeps {
    /** The user's permission on the repository at the forge: "none", "read", "write", "admin" or "owner". */
    permission(repo: string, user: string): Promise<string>;
    /** The pull request as the forge has it now. */
    pullRequest(repo: string, number: number): Promise<{ state: string; headSha: string }>;
    /** Starts the pull request's preview for `headSha`; returns what was started (e.g. "pipeline 7"). */
    rerun(repo: string, pullRequest: number, headSha: string): Promise<string>;
}

export interface Outcome {
    /** The HTTP status the hook answers with. */
    status: number;
    /** Whether a preview was started. */
    ran: boolean;
    /** Why: one line for the service's log, no secret in it. */
    log: string;
}

const WRITERS = new Set(["write", "admin", "owner"]);

/** A payload's text fit for one log line: no control characters, bounded. */
const clean = (value: unknown) =>
    // eslint-disable-next-line no-control-regex
    (typeof value === "string" ? value : (JSON.stringify(value) ?? "undefined")).replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, 60);

/** Whether `signature` (hex) is the body's HMAC-SHA256 under `secret`, compared in constant time. */
export function signatureValid(body: Buffer, secret: string, signature: string | undefined): boolean {
    if (!secret || !signature || !/^(sha256=)?[a-f0-9]{64}$/i.test(signature)) return false;
    const expected = createHmac("sha256", secret).update(body).digest();
    return timingSafeEqual(expected, Buffer.from(signature.replace(/^sha256=/i, ""), "hex"));
}

const header = (req: HookRequest, name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
};

type Field = Record<string, unknown> | undefined;
const obj = (value: unknown): Field => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);

export async function handleHook(req: HookRequest, secret: string, deps: CommandDeps): Promise<Outcome> {
    const no = (status: number, log: string): Outcome => ({ status, ran: false, log });
    if (!signatureValid(req.body, secret, header(req, "x-gitea-signature") ?? header(req, "x-hub-signature-256")))
        return no(401, "refused: the signature is missing or not the hook secret's");
    const event = header(req, "x-gitea-event");
    if (event !== "issue_comment") return no(202, `ignored: a ${clean(event ?? "unnamed")} event, not issue_comment`);
    let payload: Field;
    try {
        payload = obj(JSON.parse(req.body.toString("utf8")));
    } catch {
        return no(400, "refused: the body is not JSON");
    }
    const issue = obj(payload?.issue);
    const comment = obj(payload?.comment);
    const repo = obj(payload?.repository)?.full_name;
    const number = issue?.number;
    const user = obj(comment?.user)?.login;
    if (typeof repo !== "string" || !/^[^/\s]+\/[^/\s]+$/.test(repo) || typeof number !== "number" || !Number.isSafeInteger(number) || typeof user !== "string")
        return no(400, "refused: not an issue-comment payload (repository, issue or comment author missing)");
    const where = `${repo}#${number} by ${clean(user)}`;
    if (payload?.action !== "created") return no(202, `ignored: ${where}: a comment ${clean(payload?.action)}, not created`);
    if (!obj(issue?.pull_request)) return no(202, `ignored: ${where}: an issue, not a pull request`);
    if (typeof comment?.body !== "string" || comment.body.trim() !== COMMAND) return no(202, `ignored: ${where}: the comment is not exactly ${COMMAND}`);
    const permission = await deps.permission(repo, user);
    if (!WRITERS.has(permission)) return no(403, `refused: ${where}: ${clean(user)} may not write to ${repo} (permission ${clean(permission)})`);
    const pr = await deps.pullRequest(repo, number);
    if (pr.state !== "open") return no(409, `refused: ${where}: the pull request is ${clean(pr.state)}`);
    if (!/^[a-f0-9]{40}$/.test(pr.headSha)) return no(502, `refused: ${where}: the forge gave no head commit`);
    const started = await deps.rerun(repo, number, pr.headSha);
    return { status: 202, ran: true, log: `ran: ${where}: ${started} for ${pr.headSha}` };
}
