// planRetention over generated publications whose annotations (the grouping keys and the
// creation time) are whatever a pusher wrote. The oracle reads creation times as RFC 3339
// instants (the OCI annotation's documented format) and says what must survive a run.
import fc from "fast-check";
import { CREATED, planRetention, type Publication, type RetentionOptions } from "../../../lib/retention/plan";
import type { FuzzTarget, Outcome } from "../harness";

const POOL = 14;
const d = (i: number) => `sha256:${i.toString(16).padStart(2, "0").repeat(32)}`;
/** Signatures and other referrers: their own digests (a referrer is no tagged publication). */
const referrer = (i: number) => d(POOL + i);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** The instant an RFC 3339 timestamp names, in ms (fractions past ms ignored: the generator writes none), or undefined. */
export function instantOf(text: string | undefined): number | undefined {
    const m = text === undefined ? null : RFC3339.exec(text);
    if (!m) return undefined;
    const [y, mo, da, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (mo < 1 || mo > 12 || da < 1 || da > daysInMonth || h > 23 || mi > 59 || s > 60) return undefined;
    const offset = m[8] ? (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
    if (m[8] && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
    const utc = new Date(0);
    utc.setUTCFullYear(y, mo - 1, da);
    utc.setUTCHours(h, mi, s, Math.floor(Number(`0${m[7] ?? ""}`) * 1000));
    return utc.getTime() - offset * 60_000;
}

const BASE = Date.UTC(2026, 10, 20);
/** One instant, written the many ways RFC 3339 allows, or something that is not a time at all. */
const createdArb: fc.Arbitrary<string | undefined> = fc.oneof(
    {
        weight: 6,
        arbitrary: fc
            .record({
                minutes: fc.integer({ min: 0, max: 6 * 60 }),
                ms: fc.constantFrom(0, 0, 500, 5, 120),
                offset: fc.constantFrom(0, 0, 60, -300, 330),
                fraction: fc.constantFrom(0, 1, 2, 3),
                lower: fc.boolean(),
            })
            .map(({ minutes, ms, offset, fraction, lower }) => {
                const local = new Date(BASE + minutes * 60_000 + ms + offset * 60_000).toISOString();
                const frac =
                    fraction === 0 || (fraction < 3 && ms % 10 ** (3 - fraction) !== 0) ? (ms ? local.slice(19, 23) : "") : local.slice(19, 20 + fraction);
                const zone =
                    offset === 0
                        ? lower
                            ? "z"
                            : "Z"
                        : `${offset < 0 ? "-" : "+"}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0")}:${String(Math.abs(offset) % 60).padStart(2, "0")}`;
                return `${local.slice(0, 10)}${lower ? "t" : "T"}${local.slice(11, 19)}${frac}${zone}`;
            }),
    },
    {
        weight: 1,
        arbitrary: fc.constantFrom(
            undefined,
            "",
            "garbage",
            "2026-13-45T99:99:99Z",
            "2026-11-20 10:00:00Z",
            "2026-11-20",
            "yesterday",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
        ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 25 }) },
);

const publicationArb = (i: number): fc.Arbitrary<Publication> =>
    fc
        .record({
            p: fc.constantFrom("edge", "core", undefined),
            f: fc.constantFrom("raw", "iso"),
            created: createdArb,
            children: fc.uniqueArray(fc.nat({ max: POOL - 1 }), { maxLength: 2 }),
            referrers: fc.uniqueArray(fc.nat({ max: 9 }), { maxLength: 2 }),
        })
        .map(({ p, f, created, children, referrers }) => ({
            digest: d(i),
            annotations: { ...(p ? { "dev.slipway.platform": p } : {}), "dev.slipway.family": f, ...(created !== undefined ? { [CREATED]: created } : {}) },
            children: children.filter((c) => c !== i).map(d),
            referrers: referrers.map(referrer),
            blobs: [{ digest: `sha256:${"b".repeat(63)}${i % 10}`, size: 100 + i }],
            tags: [[`t${i}`, d(i)], ...referrers.map((r): [string, string] => [`sha256-${i}.sig`, referrer(r)])],
        }));

interface RetentionCase {
    publications: Publication[];
    options: RetentionOptions;
    interrupted: string[];
}

const caseArb: fc.Arbitrary<RetentionCase> = fc
    .uniqueArray(fc.nat({ max: POOL - 1 }), { maxLength: 8 })
    .chain((tops) =>
        fc.record({
            publications: fc.tuple(...tops.map(publicationArb)),
            options: fc.record({
                groupBy: fc.constantFrom(["dev.slipway.platform", "dev.slipway.family"], ["dev.slipway.family"], []).map((keys) => [...keys]),
                keep: fc.integer({ min: 1, max: 3 }),
                protect: fc.uniqueArray(fc.nat({ max: POOL - 1 }), { maxLength: 2 }).map((xs) => xs.map(d)),
                maxDeletes: fc.integer({ min: 1, max: 12 }),
            }),
            interrupted: fc.uniqueArray(fc.nat({ max: POOL + 9 }), { maxLength: 2 }).map((xs) => xs.map(d)),
        }),
    )
    .map((c) => {
        // As the scan reports them: an index's referrers include those of its children.
        const publications = c.publications.map((q) => ({
            ...q,
            referrers: [...new Set([...q.referrers, ...c.publications.filter((p) => q.children.includes(p.digest)).flatMap((p) => p.referrers)])],
        }));
        return { ...c, publications };
    });

const unitOf = (p: Publication) => [...p.referrers, p.digest, ...p.children];

/** What must hold of any plan, judged from the publications alone. */
function violation({ publications, options, interrupted }: RetentionCase, deletions: string[]): string | undefined {
    if (new Set(deletions).size !== deletions.length) return "a manifest is deleted twice";
    const deleted = new Set(deletions);
    const protect = new Set(options.protect ?? []);
    for (const digest of protect) if (deleted.has(digest)) return "a protected digest is deleted";
    const groupOf = (p: Publication) => JSON.stringify(options.groupBy.map((k) => p.annotations[k] ?? ""));
    for (const p of publications) {
        const t = instantOf(p.annotations[CREATED]);
        const newer = publications.filter(
            (q) =>
                q !== p &&
                groupOf(q) === groupOf(p) &&
                instantOf(q.annotations[CREATED]) !== undefined &&
                (t === undefined || instantOf(q.annotations[CREATED])! > t || (instantOf(q.annotations[CREATED]) === t && q.digest < p.digest)),
        );
        const mayGo = t !== undefined && !protect.has(p.digest) && newer.length >= (options.keep ?? 3);
        if (deleted.has(p.digest) && !mayGo) {
            return t === undefined
                ? `a publication whose creation time is not an RFC 3339 time (${JSON.stringify(p.annotations[CREATED])}) is deleted`
                : `a publication is deleted with only ${newer.length} newer in its group (keep ${options.keep})`;
        }
    }
    // Whatever stays must stay whole: no kept or deferred publication loses a manifest it lists.
    for (const p of publications) {
        if (deleted.has(p.digest)) continue;
        const lost = unitOf(p).find((x) => deleted.has(x));
        if (lost) return `a publication that stays loses ${lost === p.digest ? "itself" : "a manifest it lists"}`;
    }
    const allowed = new Set([...interrupted, ...publications.filter((p) => deleted.has(p.digest)).flatMap(unitOf)]);
    if (deletions.some((x) => !allowed.has(x))) return "a manifest outside every deleted publication is deleted";
    // An interrupted run's leftovers (in no publication) are finished whatever the cap.
    const fromPublications = deletions.filter((x) => !interrupted.includes(x) || publications.some((p) => unitOf(p).includes(x)));
    if (fromPublications.length > (options.maxDeletes ?? 100)) return `${fromPublications.length} deletions, over maxDeletes ${options.maxDeletes}`;
    return undefined;
}

export const retentionPlans: FuzzTarget<RetentionCase> = {
    name: "retention annotations (planRetention)",
    about: "generated publications sharing children and referrers, with grouping annotations and creation times written every way RFC 3339 allows (offsets, fractions, lower case) or not times at all, under generated keep/protect/maxDeletes",
    arbitrary: () => caseArb,
    run(input): Outcome {
        const plan = planRetention(input.publications, input.options, input.interrupted);
        const wrong = violation(input, plan.deletions);
        if (wrong) return { falseAccept: wrong };
        return { accept: plan.deletions.length ? (plan.capped ? "deletes, capped by maxDeletes" : "deletes") : "deletes nothing" };
    },
    typed: (_error): _error is Error => false,
};
