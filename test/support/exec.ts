// Runs real commands for tests: the Docker CLI, scripts, tools. Output is returned trimmed;
// a non-zero exit rejects with the command, its exit code and stderr.
import { execFile } from "node:child_process";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a command and resolves with its result whatever the exit code (bounded by timeoutMs). */
export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(
            cmd,
            args,
            { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 120_000, cwd: opts.cwd, maxBuffer: 64 << 20 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
            },
        );
    });
}

/** Runs a command and rejects unless it exits 0. */
export async function must(cmd: string, args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<string> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${r.stderr || r.stdout}`);
    return r.stdout;
}

export const docker = (...args: string[]) => must("docker", args);

/** This swarm node's labels. */
export async function nodeLabels(): Promise<Record<string, string>> {
    const id = await docker("info", "--format", "{{.Swarm.NodeID}}");
    return JSON.parse(await docker("node", "inspect", "--format", "{{json .Spec.Labels}}", id)) as Record<string, string>;
}
