// The `/preview` comment command decides from a signed forge hook, the forge's answers and the
// CI's: every rejection is its own case (nothing runs, the log says why, no secret in it), and
// the accepted path re-runs the preview for the head the forge reports, not the payload's.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND, handleHook, signatureValid, type CommandDeps } from "../../lib/ci/previewCommand";
import { ROOT } from "../support/prerequisites";

const SECRET = "hook-secret-5c1d";
const HEAD = "a".repeat(40);

function payload(overrides: { action?: string; body?: string; pull?: boolean; user?: string } = {}) {
    return {
        action: overrides.action ?? "created",
        issue: { number: 7, state: "open", pull_request: overrides.pull === false ? null : { merged: false } },
        comment: { body: overrides.body ?? COMMAND, user: { login: overrides.user ?? "maintainer" } },
        repository: { full_name: "team/app" },
        // A payload's own claims are never trusted: a stale head here must not be what runs.
        pull_request: { head: { sha: "b".repeat(40) } },
    };
}

function request(body: unknown, opts: { secret?: string; event?: string; signature?: string } = {}) {
    const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const signature =
        opts.signature ??
        createHmac("sha256", opts.secret ?? SECRET)
            .update(bytes)
            .digest("hex");
    return { headers: { "x-gitea-event": opts.event ?? "issue_comment", "x-gitea-signature": signature }, body: bytes };
}

function fakeDeps(over: Partial<{ permission: string; state: string }> = {}) {
    const calls: string[] = [];
    const deps: CommandDeps = {
        permission: (repo, user) => (calls.push(`permission ${repo} ${user}`), Promise.resolve(over.permission ?? "write")),
        pullRequest: (repo, n) => (calls.push(`pull ${repo}#${n}`), Promise.resolve({ state: over.state ?? "open", headSha: HEAD })),
        rerun: (repo, n, sha) => (calls.push(`rerun ${repo}#${n} ${sha}`), Promise.resolve("pipeline 9")),
    };
    return { deps, calls };
}

describe("the /preview comment command", () => {
    it("re-runs the preview of an open pull request for the head the forge reports, when a writer comments exactly /preview", async () => {
        const { deps, calls } = fakeDeps();
        const outcome = await handleHook(request(payload({ body: `  ${COMMAND}\n` })), SECRET, deps);
        expect(outcome).toEqual({ status: 202, ran: true, log: `ran: team/app#7 by maintainer: pipeline 9 for ${HEAD}` });
        expect(calls).toEqual(["permission team/app maintainer", "pull team/app#7", `rerun team/app#7 ${HEAD}`]);
    });

    const rejections: Array<[string, ReturnType<typeof request>, Partial<{ permission: string; state: string }>, number, RegExp]> = [
        ["a body signed with another secret", request(payload(), { secret: "not-the-secret" }), {}, 401, /signature is missing or not the hook secret's/],
        ["no signature", request(payload(), { signature: "" }), {}, 401, /signature/],
        ["a signature that is not hex", request(payload(), { signature: "z".repeat(64) }), {}, 401, /signature/],
        ["another event", request(payload(), { event: "push" }), {}, 202, /ignored: a push event/],
        ["an edited comment", request(payload({ action: "edited" })), {}, 202, /a comment edited, not created/],
        ["a comment on an issue", request(payload({ pull: false })), {}, 202, /an issue, not a pull request/],
        ["other text", request(payload({ body: "/preview please" })), {}, 202, /not exactly \/preview/],
        ["the command inside other text", request(payload({ body: "LGTM\n/preview" })), {}, 202, /not exactly \/preview/],
        [
            "a user who may only read",
            request(payload({ user: "visitor" })),
            { permission: "read" },
            403,
            /visitor may not write to team\/app \(permission read\)/,
        ],
        ["a closed pull request", request(payload()), { state: "closed" }, 409, /the pull request is closed/],
        ["a body that is not JSON", request("{not json"), {}, 400, /not JSON/],
        ["a payload without its fields", request({ action: "created" }), {}, 400, /not an issue-comment payload/],
    ];
    for (const [what, req, over, status, log] of rejections) {
        it(`runs nothing for ${what}, and logs why`, async () => {
            const { deps, calls } = fakeDeps(over);
            const outcome = await handleHook(req, SECRET, deps);
            expect(outcome.ran).toBe(false);
            expect(outcome.status).toBe(status);
            expect(outcome.log).toMatch(log);
            expect(outcome.log).not.toContain(SECRET);
            expect(calls.some((c) => c.startsWith("rerun"))).toBe(false);
        });
    }

    it("checks the signature over the exact bytes, in constant time, with either of Gitea's headers' spellings", () => {
        const body = Buffer.from('{"a":1}');
        const hex = createHmac("sha256", SECRET).update(body).digest("hex");
        expect(signatureValid(body, SECRET, hex)).toBe(true);
        expect(signatureValid(body, SECRET, `sha256=${hex}`)).toBe(true);
        expect(signatureValid(Buffer.from('{"a":2}'), SECRET, hex)).toBe(false);
        expect(signatureValid(body, "", hex)).toBe(false);
    });

    it("the service and its logic import nothing but Node's own modules and each other (the preview image carries just these two files)", () => {
        const imports = (file: string) => [...readFileSync(join(ROOT, file), "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
        expect(imports("lib/ci/previewCommand.ts").filter((m) => !m.startsWith("node:"))).toEqual([]);
        expect(imports("scripts/previewCommands.ts").filter((m) => !m.startsWith("node:"))).toEqual(["../lib/ci/previewCommand"]);
        const lock = JSON.parse(readFileSync(join(ROOT, "toolchain.lock.json"), "utf8")) as {
            images: Record<string, { files?: Array<{ source: string; path: string }> }>;
        };
        const files = lock.images["ci-preview"]!.files!.filter((f) => f.source.startsWith("bin/"));
        expect(files).toEqual([
            { source: "bin/scripts/previewCommands.js", path: "/usr/local/lib/slipway/app/scripts/previewCommands.js" },
            { source: "bin/lib/ci/previewCommand.js", path: "/usr/local/lib/slipway/app/lib/ci/previewCommand.js" },
        ]);
    });
});
