// Runs fuzz targets and counts what happened: every case is accepted (of a class the target
// names), refused with one of the target's documented errors (grouped into reason classes), or
// is a finding: an uncaught error of another type, a case that ran past HANG_MS, or a false
// accept (accepted what the target's own oracle says must be refused). The unit tier runs the
// targets strictly with a fixed seed (the first finding fails, shrunk by fast-check); the
// bench runs them for counts.
import fc from "fast-check";
import { performance } from "node:perf_hooks";

/** A case that takes longer than this is a hang: every case must be bounded. */
export const HANG_MS = 2_000;

export type Outcome =
    /** Accepted, and the oracle agrees; the text says why it may pass ("identity", "signed content unchanged; …"). */
    | { accept: string }
    /** Refused by return value (a list of problems, a plan that deletes nothing…), with its reason class. */
    | { reject: string }
    /** Accepted what must be refused, or a result that breaks the target's contract. */
    | { falseAccept: string }
    /** The code under test did work without bound (a fake registry's request budget ran out): a hang, caught early. */
    | { unbounded: string };

export interface FuzzTarget<T = unknown> {
    name: string;
    /** What is fed in and what each outcome means, for the report. */
    about: string;
    /** Built on first use: seeds are read from disk then. */
    arbitrary(): fc.Arbitrary<T>;
    /** One case. Throwing an error `typed` recognises is a refusal; any other error is a finding. */
    run(input: T): Outcome | Promise<Outcome>;
    /** The documented refusal errors of the code under test. */
    typed(error: unknown): error is Error;
    /** A refusal's reason class. @default the message with digests, numbers and quoted text elided */
    reasonOf?(error: Error): string;
}

export type CaseResult =
    | { kind: "hang"; label: string; ms: number }
    | { kind: "accept"; label: string; ms: number }
    | { kind: "reject"; label: string; ms: number }
    | { kind: "uncaught"; label: string; ms: number }
    | { kind: "false-accept"; label: string; ms: number };

export interface TargetStats {
    name: string;
    cases: number;
    accepts: Record<string, number>;
    rejects: Record<string, number>;
    uncaught: Record<string, number>;
    falseAccepts: Record<string, number>;
    hangs: number;
    hangReasons: Record<string, number>;
    slowestMs: number;
    totalMs: number;
    /** The first few findings, with the input that caused them. */
    examples: string[];
    /** The index of the first case that was a finding: fast-check replays from there. */
    firstFindingAt?: number;
}

/** A refusal's message as a class: variable parts (digests, hex, numbers, quoted text, positions) elided, cut short. */
export function reasonClass(message: string): string {
    const firstLine = message.split("\n")[0]!;
    return firstLine
        .replace(/sha256[:-][a-f0-9]{6,}…?/gi, "<digest>")
        .replace(/"[^"]*"/g, '"…"')
        .replace(/'[^']*'/g, "'…'")
        .replace(/`[^`]*`/g, "`…`")
        .replace(/\b[a-f0-9]{12,}…?/gi, "<hex>")
        .replace(/\b\d+(\.\d+)?\b/g, "N")
        .replace(/\s+/g, " ")
        .slice(0, 110);
}

export async function runCase<T>(target: FuzzTarget<T>, input: T): Promise<CaseResult> {
    const started = performance.now();
    let result: Omit<CaseResult, "ms">;
    try {
        const outcome = await target.run(input);
        result =
            "accept" in outcome
                ? { kind: "accept", label: outcome.accept }
                : "reject" in outcome
                  ? { kind: "reject", label: outcome.reject }
                  : "unbounded" in outcome
                    ? { kind: "hang", label: outcome.unbounded }
                    : { kind: "false-accept", label: outcome.falseAccept };
    } catch (error) {
        if (target.typed(error)) result = { kind: "reject", label: target.reasonOf ? target.reasonOf(error) : reasonClass(error.message) };
        else result = { kind: "uncaught", label: `${(error as Error)?.name ?? typeof error}: ${reasonClass(String((error as Error)?.message ?? error))}` };
    }
    return { ...result, ms: performance.now() - started };
}

export const isFinding = (r: CaseResult) => r.kind === "uncaught" || r.kind === "false-accept" || r.kind === "hang" || r.ms > HANG_MS;

export function emptyStats(name: string): TargetStats {
    return { name, cases: 0, accepts: {}, rejects: {}, uncaught: {}, falseAccepts: {}, hangs: 0, hangReasons: {}, slowestMs: 0, totalMs: 0, examples: [] };
}

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

export function record(stats: TargetStats, r: CaseResult, input: unknown): void {
    stats.cases++;
    stats.totalMs += r.ms;
    stats.slowestMs = Math.max(stats.slowestMs, r.ms);
    if (r.ms > HANG_MS || r.kind === "hang") {
        stats.hangs++;
        bump(stats.hangReasons, r.kind === "hang" ? r.label : `over ${HANG_MS} ms (${r.kind}: ${r.label})`);
    }
    if (r.kind !== "hang")
        bump(r.kind === "accept" ? stats.accepts : r.kind === "reject" ? stats.rejects : r.kind === "uncaught" ? stats.uncaught : stats.falseAccepts, r.label);
    if (isFinding(r) && stats.examples.length < 3)
        stats.examples.push(`${r.kind} (${r.ms.toFixed(0)} ms) ${r.label}\n      input: ${fc.stringify(input).slice(0, 600)}`);
}

export interface RunOptions {
    seed: number;
    numRuns: number;
    /** fast-check's replay path: start at that case (a finding `measure` saw) instead of the first. */
    path?: string;
    /** Called after every case (the bench's watchdog listens). */
    onCase?: (stats: TargetStats) => void;
}

/** Every case run and counted, findings included (they do not stop the run). */
export async function measure<T>(target: FuzzTarget<T>, { seed, numRuns, onCase }: RunOptions): Promise<TargetStats> {
    const stats = emptyStats(target.name);
    const started = performance.now();
    await fc.check(
        fc.asyncProperty(target.arbitrary(), async (input) => {
            const r = await runCase(target, input);
            if (isFinding(r)) stats.firstFindingAt ??= stats.cases;
            record(stats, r, input);
            onCase?.(stats);
            return true;
        }),
        { seed, numRuns },
    );
    stats.totalMs = performance.now() - started;
    return stats;
}

/** The first finding, shrunk by fast-check, with the seed and path that replay it; undefined when none. */
export async function firstFinding<T>(target: FuzzTarget<T>, { seed, numRuns, path, onCase }: RunOptions): Promise<string | undefined> {
    const stats = emptyStats(target.name);
    const details = await fc.check(
        fc.asyncProperty(target.arbitrary(), async (input) => {
            const r = await runCase(target, input);
            record(stats, r, input);
            onCase?.(stats);
            if (isFinding(r)) throw new Error(`${r.kind} (${r.ms.toFixed(0)} ms): ${r.label}`);
        }),
        { seed, numRuns, ...(path !== undefined ? { path } : {}) },
    );
    return details.failed ? fc.defaultReportMessage(details) : undefined;
}
