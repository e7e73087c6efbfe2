// The fault matrix's deeper sweep, run on demand (SLIPWAY_FAULT_SWEEP=1; about 10 minutes a
// registry): every kind of request each operation makes — first, middle and last of each kind —
// faulted in turn (5xx for good, reset, and for a body: cut short, other bytes). A run must fail
// typed and naming the registry, or succeed ending where a clean run ends; and a re-run without
// the fault must converge. The one success allowed to end elsewhere: other bytes for a GET by
// TAG, which has no digest to check them against (retention then holds that publication back
// for the next run; promotion copies a signature index as served).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultKind } from "../support/faultProxy";
import { DEADLINE_SECONDS, OPERATIONS, startBench, stopBench, type Bench } from "../support/faultOperations";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/[a-z-]*sweep-clean/g, "[^/]+");

function shapeOf(method: string, path: string): { kind: string; pattern: RegExp } {
    const url = new URL(path, "http://x");
    if (url.pathname.includes("/blobs/uploads/")) {
        const base = url.pathname.slice(0, url.pathname.indexOf("/blobs/uploads/") + "/blobs/uploads/".length);
        const digest = url.searchParams.get("digest");
        const mount = url.searchParams.get("mount");
        const pattern = new RegExp(`^${escape(base)}[^?]*${digest ? `\\?.*digest=${escape(encodeURIComponent(digest))}` : mount ? `\\?.*mount=${escape(mount)}` : "$"}`);
        return { kind: `${method} upload${digest ? " finish" : mount ? " mount" : " start"}`, pattern };
    }
    const category = /\/manifests\/sha256:/.test(path) ? "manifest@digest" : /\/manifests\//.test(path) ? "manifest:tag" : /\/blobs\//.test(path) ? "blob" : /\/referrers\//.test(path) ? "referrers" : /\/tags\/list/.test(path) ? "tags" : path;
    return { kind: `${method} ${category}`, pattern: new RegExp(`^${escape(path)}$`) };
}

describe.runIf(process.env.SLIPWAY_FAULT_SWEEP === "1").each(["distribution", "olareg"] as const)("sweep on %s", (kind) => {
    let bench: Bench;
    beforeAll(async () => {
        process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS = DEADLINE_SECONDS;
        bench = await startBench(kind);
    }, 120_000);
    afterAll(async () => {
        const t = Date.now();
        if (bench) await stopBench(bench);
        console.log(`stopBench took ${Date.now() - t} ms`);
    }, 60_000);

    // Rows that differ only in which request the matrix faults are one operation here.
    const operations = OPERATIONS.filter((op, i) => OPERATIONS.findIndex((o) => o.run === op.run) === i);
    it.each(operations.map((op) => [op.name, op] as const))("%s", async (name, op) => {
        const findings: string[] = [];
        const failures: string[] = [];
        const ctx0 = await op.prepare(bench, "sweep-clean");
        bench.proxy.arm(undefined);
        const from = bench.proxy.exchanges.length;
        await op.run(bench, ctx0);
        const expected = await op.end(bench, ctx0);
        const clean = bench.proxy.exchanges.slice(from);
        // Each exchange's shape and which occurrence of its exact pattern it is.
        const byKind = new Map<string, Array<{ method: string; pattern: RegExp; nth: number; path: string; hasBody: boolean }>>();
        const seen = new Map<string, number>();
        for (const e of clean) {
            const shape = shapeOf(e.method, e.path);
            const key = `${e.method} ${shape.pattern.source}`;
            const nth = (seen.get(key) ?? 0) + 1;
            seen.set(key, nth);
            const list = byKind.get(shape.kind) ?? [];
            list.push({ method: e.method, pattern: shape.pattern, nth, path: e.path, hasBody: e.method === "GET" || /upload finish|PATCH/.test(shape.kind) });
            byKind.set(shape.kind, list);
        }
        let slot = 0;
        for (const [k, list] of byKind) {
            // The ping is retried until the registry serves (90 s, by design): not swept.
            if (k === "GET /v2/") continue;
            const picks = [...new Set([0, Math.floor(list.length / 2), list.length - 1])].map((i) => list[i]!);
            for (const pick of picks) {
                const faults: FaultKind[] = ["5xx", "reset", ...(pick.hasBody ? (["wrong-digest", "truncate"] as FaultKind[]) : [])];
                for (const fault of faults) {
                    const ctx = await op.prepare(bench, `s${slot++}`);
                    bench.proxy.arm({ kind: fault, method: pick.method, path: pick.pattern, nth: pick.nth });
                    const outcome = await op.run(bench, ctx).then(
                        () => ({ ok: true as const }),
                        (error: unknown) => ({ ok: false as const, error: error as Error }),
                    );
                    const hit = bench.proxy.faulted[0];
                    bench.proxy.arm(undefined);
                    const where = `${name} ${fault} on ${k} (${pick.path.slice(0, 90)} #${pick.nth})`;
                    if (!hit) {
                        findings.push(`not reached: ${where}`);
                        continue;
                    }
                    try {
                        if (outcome.ok) {
                            const end = await op.end(bench, ctx);
                            const byTag = fault === "wrong-digest" && k === "GET manifest:tag";
                            if (JSON.stringify(end) === JSON.stringify(expected)) findings.push(`absorbed: ${where}`);
                            else (byTag ? findings : failures).push(`success reported, end state differs: ${where}`);
                        } else {
                            if (!op.errors.some((t) => outcome.error instanceof t)) failures.push(`untyped ${outcome.error.name}: ${where}: ${outcome.error.message.slice(0, 300)}`);
                            if (!outcome.error.message.includes(bench.proxy.host)) failures.push(`no registry named: ${where}: ${outcome.error.message.slice(0, 300)}`);
                            await op.invariant?.(bench, ctx);
                        }
                        await op.run(bench, ctx);
                        const end = await op.end(bench, ctx);
                        if (JSON.stringify(end) !== JSON.stringify(expected)) failures.push(`the re-run does not converge: ${where}: ${JSON.stringify(end).slice(0, 400)}`);
                    } catch (error) {
                        failures.push(`a check failed: ${where}: ${(error as Error).message.slice(0, 400)}`);
                    }
                }
            }
        }
        console.log(`${kind} ${name}: ${slot} runs over ${byKind.size} request kinds (${[...byKind.keys()].join(", ")})\n  ${[...failures, ...findings].join("\n  ")}`);
        expect(failures).toEqual([]);
    }, 900_000);
});
