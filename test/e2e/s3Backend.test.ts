// The state of a stack CI previews lives on an S3-compatible Pulumi backend (docs/previews.md):
// the real CLI against the pinned S3 server. Two `pulumi up` on one stack at once: the second
// fails on Pulumi's lock, naming it, and the first finishes; the state is whole afterwards (a
// third up changes nothing). The program is a small one with a slow resource, so the first
// update surely holds the lock while the second starts: the lock is the backend's, whatever
// the program.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { must, run, type RunResult } from "../support/exec";
import { ROOT } from "../support/prerequisites";
import { startS3, type RunningS3 } from "../support/s3";
import { scratchDir } from "../support/tmp";

const PROGRAM = `
const command = require("@pulumi/command");
// Slow on purpose: the update holds the stack's lock while it runs.
new command.local.Command("slow", { create: "sleep 12; echo done" });
`;

/** Starts a command; resolves when it ends (bounded), with its result. */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 240_000): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { env, cwd, timeout: timeoutMs });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
}

describe("a stack on the S3 backend", () => {
    let s3: RunningS3;
    let dir: string;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
        s3 = await startS3("pulumi-state");
        dir = scratchDir("slipway-s3-backend-");
        mkdirSync(join(dir, "project"));
        dir = join(dir, "project");
        writeFileSync(join(dir, "Pulumi.yaml"), "name: s3-lock\nruntime: nodejs\nmain: index.js\n");
        writeFileSync(join(dir, "index.js"), PROGRAM);
        writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "s3-lock", private: true }));
        symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
        const url = new URL(s3.endpoint);
        env = {
            ...process.env,
            // The URL docs/previews.md gives operators, at the test server's address.
            PULUMI_BACKEND_URL: `s3://${s3.bucket}?endpoint=${url.host}&disableSSL=true&s3ForcePathStyle=true&region=us-east-1`,
            AWS_ACCESS_KEY_ID: "operator",
            AWS_SECRET_ACCESS_KEY: "operator-secret",
            PULUMI_CONFIG_PASSPHRASE: "e2e-s3-backend",
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
        await must("pulumi", ["stack", "init", "organization/s3-lock/site", "--non-interactive"], { env, cwd: dir });
    });
    afterAll(async () => {
        if (env) await run("pulumi", ["destroy", "--yes", "--non-interactive", "--stack", "site"], { env, cwd: dir, timeoutMs: 120_000 });
        if (env) await run("pulumi", ["stack", "rm", "--yes", "--stack", "site"], { env, cwd: dir });
        await s3?.stop();
    });

    it("keeps the state in the bucket", async () => {
        const keys = await s3.keys(".pulumi/");
        expect(keys).toContain(".pulumi/meta.yaml");
        expect(keys.some((k) => k.startsWith(".pulumi/stacks/s3-lock/site.json"))).toBe(true);
    });

    it("refuses a second concurrent up on Pulumi's lock, and the state stays whole", async () => {
        const args = ["up", "--yes", "--non-interactive", "--skip-preview", "--stack", "site"];
        const first = start("pulumi", args, env, dir);
        // The first update holds the lock once its lock file is in the bucket (bounded wait).
        let locks: string[] = [];
        for (let i = 0; i < 120 && locks.length === 0; i++) {
            locks = await s3.keys(".pulumi/locks/");
            if (locks.length === 0) await new Promise((r) => setTimeout(r, 250));
        }
        expect(locks, "the first up never took the stack's lock").toHaveLength(1);
        const second = await run("pulumi", args, { env, cwd: dir, timeoutMs: 120_000 });
        expect(second.code).not.toBe(0);
        expect(second.stderr + second.stdout).toMatch(/the stack is currently locked by 1 lock/);
        const done = await first;
        expect(done.code, done.stderr || done.stdout).toBe(0);
        expect(await s3.keys(".pulumi/locks/")).toEqual([]);
        // Whole: the resource the first up created is in the state, and a third up has nothing to do.
        const state = JSON.parse(await must("pulumi", ["stack", "export", "--stack", "site"], { env, cwd: dir })) as {
            deployment: { resources?: Array<{ urn: string }> };
        };
        expect(state.deployment.resources?.map((r) => r.urn)).toContain("urn:pulumi:site::s3-lock::command:local:Command::slow");
        const third = await must("pulumi", ["preview", "--expect-no-changes", "--non-interactive", "--stack", "site"], { env, cwd: dir, timeoutMs: 120_000 });
        expect(third).toMatch(/2 unchanged/); // the stack and the command
    });
});
