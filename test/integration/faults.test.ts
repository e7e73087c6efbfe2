// Fault injection against real registries (distribution, olareg): every operation that talks to
// a registry, run through a proxy that breaks one chosen request — a 5xx for good or once, a
// reset, an answer stalled past the deadline, a body cut short, bytes that are not the digest's.
// Each cell of the matrix (operation × fault) checks that the run fails with a typed error
// naming registry, repository, reference and cause (the transient 5xx must be retried away
// instead), that nothing half-done is reported done, that no prod tag moves to anything but the
// verified digest; and that running it again without the fault ends exactly where a run that
// never met a fault ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAULT_KINDS, type Exchange, type FaultKind } from "../support/faultProxy";
import { DEADLINE_SECONDS, OPERATIONS, startBench, stopBench, type Bench } from "../support/faultOperations";

/** What the cause of each fault reads like in the error (a transient 5xx causes none). */
const CAUSES: Record<Exclude<FaultKind, "5xx-once">, RegExp> = {
    "5xx": /HTTP 503 UNAVAILABLE/,
    reset: /no response: \w+ \S+: (socket hang up|read ECONNRESET)/,
    stall: /no response SLIPWAY_DEADLINE_EXCEEDED: .* did not complete within 2 s/,
    // An answer cut short is a dropped connection; an upload cut short, a digest the registry refuses.
    truncate: /no response: .*(closed before the whole answer arrived|aborted)|HTTP 400 (DIGEST_INVALID|BLOB_UPLOAD_INVALID)/,
    "wrong-digest":
        /the registry returned content whose digest is sha256:|blob content hashes to sha256:|resolves to sha256:\w+(,? not the promoted| after the push)|HTTP 400 (DIGEST_INVALID|BLOB_UPLOAD_INVALID)/,
};

/** The repository and reference a faulted request names, as the error must name them. */
function namesOf(exchange: Exchange): { repository: string; reference: string } {
    const url = new URL(exchange.path, "http://proxy");
    const [, repository, kind, rest] = /^\/v2\/(.+?)\/(manifests|blobs|referrers|tags)\/(.*)$/.exec(url.pathname) ?? [];
    const reference = kind === "blobs" && rest!.startsWith("uploads/") ? url.searchParams.get("digest")! : rest!;
    return { repository: repository!, reference };
}

describe.each(["distribution", "olareg"] as const)("faults on %s", (kind) => {
    let bench: Bench;
    const baselines = new Map<string, unknown>();
    const savedDeadline = process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS;

    beforeAll(async () => {
        // Clients are made the providers' way (lib/oci/connect), so the deadline comes from the environment.
        process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS = DEADLINE_SECONDS;
        bench = await startBench(kind);
    }, 120_000);
    afterAll(async () => {
        if (savedDeadline === undefined) delete process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS;
        else process.env.SLIPWAY_REGISTRY_DEADLINE_SECONDS = savedDeadline;
        if (bench) await stopBench(bench);
    }, 60_000);

    describe.each(OPERATIONS.map((op) => [op.name, op] as const))("%s", (name, op) => {
        /** Where a run that never met a fault leaves the registry. */
        const baseline = async () => {
            if (!baselines.has(name)) {
                const ctx = await op.prepare(bench, "baseline");
                bench.proxy.arm(undefined);
                await op.run(bench, ctx);
                baselines.set(name, await op.end(bench, ctx));
            }
            return baselines.get(name);
        };

        it.each(op.faults ?? FAULT_KINDS)("× %s: a typed error naming where and why, and a re-run converges", async (fault) => {
            const expected = await baseline();
            const ctx = await op.prepare(bench, fault);
            bench.proxy.arm({ kind: fault, ...op.target(bench, ctx, fault) });
            const outcome = await op.run(bench, ctx).then(
                (value) => ({ ok: true as const, value }),
                (error: unknown) => ({ ok: false as const, error }),
            );
            const [hit] = bench.proxy.faulted;
            bench.proxy.arm(undefined);
            expect(hit, "the fault was injected").toBeDefined();

            if (fault === "5xx-once") {
                // A transient failure is retried away: the run succeeds and ends where a clean one does.
                expect(outcome.ok, outcome.ok ? "" : String(outcome.error)).toBe(true);
                expect(await op.end(bench, ctx)).toEqual(expected);
                return;
            }
            expect(outcome.ok, `${name} reported success despite a ${fault} on ${hit!.method} ${hit!.path}`).toBe(false);
            const error = (outcome as { error: Error }).error;
            expect(
                op.errors.some((type) => error instanceof type),
                `${error.name}: ${error.message}`,
            ).toBe(true);
            const { repository, reference } = namesOf(hit!);
            expect(error.message).toContain(`${bench.proxy.host}/${repository}`);
            expect(error.message).toContain(reference);
            expect(error.message).toMatch(CAUSES[fault]);
            await op.invariant?.(bench, ctx);

            await op.run(bench, ctx);
            expect(await op.end(bench, ctx)).toEqual(expected);
        });
    });
});
