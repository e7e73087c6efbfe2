// Runs the Docker CLI against one engine endpoint (unix:// or ssh://, the CLI speaks both).
// argv only, never a shell; errors name the endpoint, the command and what Docker said.
import { execFile } from "node:child_process";

export class DockerError extends Error {
    constructor(
        readonly endpoint: string,
        readonly args: readonly string[],
        readonly stderr: string,
    ) {
        super(`docker ${args.join(" ")} on ${endpoint} failed: ${stderr || "no output"}`);
        this.name = "DockerError";
    }
}

/** Runs `docker <args>` with DOCKER_HOST set to `endpoint`; resolves with trimmed stdout. `env` adds to the environment (an ssh identity's PATH). */
export function docker(endpoint: string, args: readonly string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(
            "docker",
            args,
            { env: { ...process.env, ...env, DOCKER_HOST: endpoint }, timeout: timeoutMs, maxBuffer: 16 << 20 },
            (error, stdout, stderr) => {
                if (error) {
                    const reason =
                        (error as NodeJS.ErrnoException).code === "ENOENT"
                            ? "the docker CLI is not on PATH (run scripts/setup)"
                            : stderr.trim() || error.message;
                    reject(new DockerError(endpoint, args, reason));
                } else resolve(stdout.trim());
            },
        );
    });
}

/** True when Docker said the object does not exist. */
export function isNotFound(error: unknown): boolean {
    return error instanceof DockerError && /no such|not found/i.test(error.stderr);
}

/** Attempts at one `docker node update` before its error stands. */
const NODE_UPDATE_ATTEMPTS = 10;

/**
 * `docker node update` writes against the node version it just read; any other update of the
 * node in between (a label, the engine's own status) fails it with "update out of sequence".
 * That error, and only that one, is retried, bounded.
 */
export async function nodeUpdate(endpoint: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            await docker(endpoint, ["node", "update", ...args], 30_000, env);
            return;
        } catch (error) {
            const outOfSequence = error instanceof DockerError && error.stderr.includes("update out of sequence");
            if (!outOfSequence || attempt >= NODE_UPDATE_ATTEMPTS) throw error;
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}
