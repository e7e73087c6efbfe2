// The RetentionPolicy provider's update path (lib/retention/retainReference's retain) in a child
// process of its own, so a test or benchmark can SIGKILL it anywhere, as a crash would.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { RetentionOptions } from "../../lib/retention/plan";

export interface RetainChild {
    child: ChildProcess;
    /** Its exit, with everything it wrote; `output` is "done" after a run that completed. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/** `lib`: the compiled retainReference.js (bin/ for tests, bin-bench/ for benchmarks). */
export function retainInChild(lib: string, registry: string, repository: string, options: RetentionOptions, previewed: string[]): RetainChild {
    if (!existsSync(lib)) throw new Error(`${lib} is missing: compile it first (npm run build, or tsc -p tsconfig.bench.json)`);
    const code = `require(${JSON.stringify(lib)}).retain(process.argv[1], JSON.parse(process.argv[2]), JSON.parse(process.argv[3]), true).then(() => process.stdout.write("done"), (e) => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ["-e", code, `${registry}/${repository}`, JSON.stringify(options), JSON.stringify(previewed)], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal, output })),
    );
    return { child, exited };
}
