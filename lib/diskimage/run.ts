// Runs one build tool: argv only, never a shell; a failure names the command, its exit and
// the end of what it printed, which is where tools say what went wrong.
import { spawn } from "node:child_process";
import { shellJoin } from "../shell";

export interface RunOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Bytes for standard input. */
    input?: Buffer;
    /** Where standard output goes: returned (default) or a file descriptor (a pipe into a file). */
    stdout?: number;
    timeoutMs?: number;
}

export class ToolError extends Error {
    constructor(argv: readonly string[], reason: string) {
        super(`${shellJoin(argv)} failed: ${reason}`);
        this.name = "ToolError";
    }
}

export function run(argv: readonly string[], options: RunOptions = {}): Promise<Buffer> {
    const [command, ...args] = argv;
    return new Promise((resolve, reject) => {
        const child = spawn(command!, args, {
            cwd: options.cwd,
            env: options.env ?? process.env,
            stdio: ["pipe", options.stdout ?? "pipe", "pipe"],
            timeout: options.timeoutMs ?? 600_000,
        });
        const out: Buffer[] = [];
        let err = "";
        child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr!.on("data", (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
        child.on("error", (error: NodeJS.ErrnoException) =>
            reject(new ToolError(argv, error.code === "ENOENT" ? `${command} is not installed (scripts/setup installs it)` : error.message)),
        );
        child.on("close", (code, signal) => {
            if (code === 0) resolve(Buffer.concat(out));
            else reject(new ToolError(argv, `${signal ? `killed by ${signal}` : `exit ${code}`}${err.trim() ? `: ${err.trim()}` : ""}`));
        });
        child.stdin!.end(options.input);
    });
}
