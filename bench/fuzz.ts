// Fuzz bench (issue 17): every target of test/fuzz/targets.ts for ≥ 10,000 cases, each target
// in a worker thread watched from here (a case that never returns is reported as a hang, not
// waited for). Prints, per target: cases, accepts and refusals by reason class, uncaught errors
// that are not Slipway's typed ones, hangs, false accepts, time. Exits 1 if any of the last
// three is not 0, after replaying the first finding shrunk, with its seed and path.
//   npm run bench:fuzz [-- <seed> [<cases per target>] [<target name filter>]]
//   SLIPWAY_FUZZ_SEED / SLIPWAY_FUZZ_RUNS set the same; a random seed is printed when none is given.
//   npm run bench:fuzz -- --capture   re-captures the real cosign seeds (needs scripts/setup's tools)
import fc from "fast-check";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { captureCosign } from "../test/fuzz/cosignCapture";
import { firstFinding, HANG_MS, measure, type TargetStats } from "../test/fuzz/harness";
import { COSIGN_DIR } from "../test/fuzz/seeds";
import { NOT_FUZZED, TARGETS } from "../test/fuzz/targets";

/** A worker silent this long is stuck in one case. */
const WATCHDOG_MS = 60_000;

interface Job {
    target: string;
    seed: number;
    numRuns: number;
}

type Message = { type: "progress"; cases: number } | { type: "done"; stats: TargetStats; finding?: string } | { type: "error"; message: string };

async function work({ target, seed, numRuns }: Job): Promise<void> {
    const t = TARGETS.find((x) => x.name === target)!;
    let last = 0;
    const stats = await measure(t, {
        seed,
        numRuns,
        onCase: (s) => {
            if (s.cases - last >= 50) parentPort!.postMessage({ type: "progress", cases: (last = s.cases) } satisfies Message);
        },
    });
    // Replayed from the first finding (fast-check's path), shrunk, with progress so the watchdog knows it lives.
    const finding =
        stats.firstFindingAt !== undefined
            ? await firstFinding(t, {
                  seed,
                  numRuns,
                  path: String(stats.firstFindingAt),
                  onCase: () => parentPort!.postMessage({ type: "progress", cases: last } satisfies Message),
              })
            : undefined;
    parentPort!.postMessage({ type: "done", stats, ...(finding ? { finding } : {}) } satisfies Message);
}

/** Runs one target in a worker; a worker that stops answering is terminated and its run counted as a hang. */
function runInWorker(job: Job): Promise<{ stats: TargetStats; finding?: string }> {
    return new Promise((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: job });
        let cases = 0;
        let timer: NodeJS.Timeout;
        const arm = () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
                void worker.terminate();
                const stats: TargetStats = {
                    name: job.target,
                    cases,
                    accepts: {},
                    rejects: {},
                    uncaught: {},
                    falseAccepts: {},
                    hangs: 1,
                    hangReasons: { [`no case finished for ${WATCHDOG_MS / 1000} s after case ${cases}: terminated`]: 1 },
                    slowestMs: WATCHDOG_MS,
                    totalMs: 0,
                    examples: [],
                };
                resolve({ stats, finding: `replay: SLIPWAY_FUZZ_SEED=${job.seed}, the case after #${cases}` });
            }, WATCHDOG_MS);
        };
        arm();
        worker.on("message", (m: Message) => {
            if (m.type === "progress") {
                cases = m.cases;
                arm();
            } else if (m.type === "done") {
                clearTimeout(timer);
                void worker.terminate();
                resolve(m);
            } else reject(new Error(m.message));
        });
        worker.on("error", (e: Error) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);

function printTarget(s: TargetStats, about: string): void {
    console.log(`\n■ ${s.name}  —  ${about}`);
    const uncaught = total(s.uncaught);
    const falseAccepts = total(s.falseAccepts);
    console.log(
        `  cases ${s.cases} · accepted ${total(s.accepts)} · refused ${total(s.rejects)} · uncaught ${uncaught} · hangs ${s.hangs} · false accepts ${falseAccepts} · ${(s.totalMs / 1000).toFixed(1)} s (slowest case ${s.slowestMs.toFixed(0)} ms)`,
    );
    const list = (title: string, m: Record<string, number>, top = 12) => {
        const entries = Object.entries(m).sort((a, b) => b[1] - a[1]);
        if (entries.length === 0) return;
        console.log(`  ${title}:`);
        for (const [k, v] of entries.slice(0, top)) console.log(`    ${pad(v, 6)}  ${k}`);
        if (entries.length > top)
            console.log(
                `    ${pad(
                    entries.slice(top).reduce((a, [, v]) => a + v, 0),
                    6,
                )}  (${entries.length - top} more classes)`,
            );
    };
    list("accepted, by why it may pass", s.accepts, 40);
    list("refused, by reason class", s.rejects);
    list("UNCAUGHT (not a typed error)", s.uncaught);
    list("HANGS", s.hangReasons);
    list("FALSE ACCEPTS", s.falseAccepts);
    for (const e of s.examples) console.log(`  example: ${e}`);
}

async function main(): Promise<void> {
    if (process.argv[2] === "--capture") {
        await captureCosign(COSIGN_DIR);
        console.log(`captured real cosign signatures into ${COSIGN_DIR}`);
        return;
    }
    const seed = Number(process.argv[2] ?? process.env.SLIPWAY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const numRuns = Number(process.argv[3] ?? process.env.SLIPWAY_FUZZ_RUNS ?? 10_000);
    const filter = process.argv[4];
    if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(numRuns) || numRuns < 1)
        throw new Error("usage: bench:fuzz [-- <seed> [<cases per target>] [<target filter>]]");
    console.log(
        `fuzz bench: seed ${seed} (replay: npm run bench:fuzz -- ${seed} ${numRuns}), ${numRuns} cases per target, a case over ${HANG_MS} ms is a hang; fast-check ${fc.__version}, Node ${process.version}`,
    );
    for (const n of NOT_FUZZED) console.log(`not fuzzed: ${n}`);
    const rows: TargetStats[] = [];
    const findings: string[] = [];
    for (const t of TARGETS.filter((x) => !filter || x.name.includes(filter))) {
        const { stats, finding } = await runInWorker({ target: t.name, seed, numRuns });
        printTarget(stats, t.about);
        rows.push(stats);
        if (finding) findings.push(`${t.name}:\n${finding}`);
    }
    console.log(
        `\n${"target".padEnd(40)} ${pad("cases", 7)} ${pad("accepted", 8)} ${pad("refused", 8)} ${pad("classes", 7)} ${pad("uncaught", 8)} ${pad("hangs", 5)} ${pad("false acc", 9)} ${pad("time s", 7)}`,
    );
    for (const s of rows) {
        console.log(
            `${s.name.padEnd(40)} ${pad(s.cases, 7)} ${pad(total(s.accepts), 8)} ${pad(total(s.rejects), 8)} ${pad(Object.keys(s.rejects).length, 7)} ${pad(total(s.uncaught), 8)} ${pad(s.hangs, 5)} ${pad(total(s.falseAccepts), 9)} ${pad((s.totalMs / 1000).toFixed(1), 7)}`,
        );
    }
    const bad = rows.filter((s) => total(s.uncaught) + s.hangs + total(s.falseAccepts) > 0 || s.cases < numRuns);
    for (const f of findings) console.log(`\nfirst finding, shrunk — ${f}`);
    console.log(
        bad.length ? `\nFAIL: ${bad.map((s) => s.name).join(", ")}` : `\nOK: ${rows.length} targets × ${numRuns} cases: 0 uncaught, 0 hangs, 0 false accepts`,
    );
    process.exitCode = bad.length ? 1 : 0;
}

if (isMainThread) {
    main().catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
} else {
    work(workerData as Job).catch((error: unknown) =>
        parentPort!.postMessage({ type: "error", message: String((error as Error)?.stack ?? error) } satisfies Message),
    );
}
