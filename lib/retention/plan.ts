// The retention plan, computed in full before anything is deleted: which publications each
// group keeps (newest N by a creation annotation, never tag order), the whole keep-set
// (an index keeps its children, a kept manifest keeps its referrers, a protected digest is
// never deleted), and only then what goes, in an order that keeps the registry consistent
// if a run stops half-way. Pure: the provider scans the registry and applies the plan.

export const CREATED = "org.opencontainers.image.created";

export interface Blob {
    digest: string;
    size: number;
}

/** A tagged manifest (image or index) as the scan found it. */
export interface Publication {
    digest: string;
    annotations: Record<string, string>;
    /** Child manifests of an index. */
    children: string[];
    /** Manifests whose subject is this one or one of its children (signatures, SBOMs…), and the
     * fallback indexes listing them, each before the manifests it lists. */
    referrers: string[];
    /** Every blob the publication, its children and referrers use. */
    blobs: Blob[];
    /** The tags naming the top or one of its referrers, as [tag, digest], the referrers' first. */
    tags: Array<[tag: string, digest: string]>;
}

export interface RetentionOptions {
    /** Annotation keys that define a group, e.g. platform, family, arch. */
    groupBy: string[];
    /** Publications kept per group. @default 3 */
    keep?: number;
    /** Digests never deleted (deployed, or exported to other stacks). */
    protect?: string[];
    /** Most manifests one run deletes; whole publications only. @default 100 */
    maxDeletes?: number;
}

export interface GroupPlan {
    group: Record<string, string>;
    kept: string[];
    deleted: string[];
}

export interface PlannedUnit {
    /**
     * Tags to remove, the referrers' before the top's: until the top's tag goes, the next scan
     * still finds the publication; after, none of its signature tags is left naming it.
     */
    untag: Array<[tag: string, digest: string]>;
    /**
     * Manifests to delete, in order: referrers (each fallback index before what it lists), the
     * top, its children. No index ever lists a missing manifest.
     */
    deletions: string[];
}

export interface RetentionPlan {
    groups: GroupPlan[];
    /**
     * The work, one unit per publication (and one per manifest an interrupted run left behind,
     * from its journal, first). Units are independent of one another; within one, order matters.
     * Every unit's tags go before any manifest is deleted: a registry deletes by digest in time
     * proportional to the tags left, so untagging first keeps a large prune linear.
     */
    units: PlannedUnit[];
    /** Every manifest the units delete, in order. */
    deletions: string[];
    /** Publications left for a later run because maxDeletes was reached. */
    deferred: string[];
    capped: boolean;
    /** Publications without a creation time (no annotation, or one that is not RFC 3339): never judged older, so kept. */
    unordered: string[];
    bytesReclaimable: number;
}

const unitOf = (p: Publication) => [...p.referrers, p.digest, ...p.children];

/**
 * `digests` and, for each that is a publication's top, that publication's whole unit, and so on:
 * a kept index keeps a tagged index it lists, and everything that one lists in turn.
 */
function closure(digests: Iterable<string>, publications: readonly Publication[]): Set<string> {
    const byTop = new Map(publications.map((p) => [p.digest, p]));
    const out = new Set<string>();
    const todo = [...digests];
    while (todo.length > 0) {
        const d = todo.pop()!;
        if (out.has(d)) continue;
        out.add(d);
        const p = byTop.get(d);
        if (p) todo.push(...unitOf(p));
    }
    return out;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant a creation annotation names, as text that sorts in time order; undefined when it
 * names none. The annotation is RFC 3339 (OCI image spec), which allows any offset, any number of
 * fraction digits and either case: compared as text, `…T10:00:00+02:00` is newer than
 * `…T09:00:00Z`, and `…00.5Z` older than `…00Z`, both wrongly. Whoever pushes writes it.
 */
export function createdKey(text: string | undefined): string | undefined {
    const m = text ? RFC3339.exec(text) : null;
    if (!m) return undefined;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const offset = m[8] ? (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
    const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60 || Number(m[9] ?? 0) > 23 || Number(m[10] ?? 0) > 59)
        return undefined;
    const instant = new Date(0);
    instant.setUTCFullYear(year, month - 1, day);
    instant.setUTCHours(hour, minute - offset, second, 0);
    // Seconds since year 0 (always positive, fixed width), then the fraction's digits (to picoseconds).
    const seconds = Math.floor(instant.getTime() / 1000) + 62_167_219_200 + 86_400;
    return `${String(seconds).padStart(12, "0")}.${(m[7] ?? ".").slice(1, 13).padEnd(12, "0")}`;
}

/** `interrupted`: digests an interrupted run's journal says it untagged and did not delete. */
export function planRetention(publications: readonly Publication[], options: RetentionOptions, interrupted: readonly string[] = []): RetentionPlan {
    const keep = options.keep ?? 3;
    const maxDeletes = options.maxDeletes ?? 100;
    if (keep < 1) throw new Error("keep must be at least 1: retention never empties a group");
    const protect = new Set(options.protect ?? []);

    const created = new Map(publications.map((p) => [p, createdKey(p.annotations[CREATED])]));
    const unordered = publications.filter((p) => created.get(p) === undefined).map((p) => p.digest);
    /** Newest first; publications without a time last (never among the `keep` newest, kept anyway). */
    const newer = (a: Publication, b: Publication) => compare(created.get(b) ?? "", created.get(a) ?? "") || a.digest.localeCompare(b.digest);
    const groups = new Map<string, Publication[]>();
    for (const p of publications) {
        const key = JSON.stringify(options.groupBy.map((k) => p.annotations[k] ?? ""));
        groups.set(key, [...(groups.get(key) ?? []), p]);
    }

    const keptTops = new Set<string>();
    const plans: GroupPlan[] = [];
    for (const [key, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
        const newestFirst = [...members].sort(newer);
        const kept = newestFirst.filter((p, i) => i < keep || protect.has(p.digest) || created.get(p) === undefined);
        for (const p of kept) keptTops.add(p.digest);
        const values = JSON.parse(key) as string[];
        plans.push({
            group: Object.fromEntries(options.groupBy.map((k, i) => [k, values[i]!])),
            kept: kept.map((p) => p.digest),
            deleted: newestFirst.filter((p) => !keptTops.has(p.digest)).map((p) => p.digest),
        });
    }

    // The whole keep-set first: everything a kept or protected publication uses.
    const keepSet = closure([...protect, ...publications.filter((p) => keptTops.has(p.digest)).flatMap(unitOf)], publications);

    // Oldest first, whole publications, until the cap.
    const doomed = publications
        .filter((p) => !keptTops.has(p.digest))
        .sort((a, b) => compare(created.get(a) ?? "", created.get(b) ?? "") || a.digest.localeCompare(b.digest));
    // An interrupted run's leftovers first: nothing tags them any more, so only its journal knows.
    // They were planned and half done already, so maxDeletes does not hold them back.
    const live = new Set(publications.flatMap(unitOf));
    const leftovers = [...new Set(interrupted)].filter((d) => !keepSet.has(d) && !live.has(d));
    let units: PlannedUnit[] = leftovers.map((d) => ({ untag: [], deletions: [d] }));
    const planned = new Set(leftovers);
    let count = leftovers.length;
    const deferred: string[] = [];
    const deletedUnits = new Set<Publication>();
    for (const p of doomed) {
        const deletions = unitOf(p).filter((d) => !keepSet.has(d) && !planned.has(d));
        if (count + deletions.length > maxDeletes) {
            deferred.push(p.digest);
            continue;
        }
        for (const d of deletions) planned.add(d);
        count += deletions.length;
        units.push({ untag: p.tags.filter(([, d]) => !keepSet.has(d)), deletions });
        deletedUnits.add(p);
    }
    // A deferred publication stays whole until a later run: what it lists is not deleted now,
    // even by an older unit that shares it (a child tagged on its own, a shared referrer).
    const deferredSet = new Set(deferred);
    const staying = closure(doomed.filter((p) => deferredSet.has(p.digest)).flatMap(unitOf), publications);
    if (staying.size > 0) {
        units = units
            .map((u) => ({ untag: u.untag.filter(([, d]) => !staying.has(d)), deletions: u.deletions.filter((d) => !staying.has(d)) }))
            .filter((u) => u.deletions.length > 0 || u.untag.length > 0);
    }

    // Reclaimable: blobs no kept or deferred publication still uses.
    const stillUsed = new Set(publications.filter((p) => !deletedUnits.has(p)).flatMap((p) => p.blobs.map((b) => b.digest)));
    const freed = new Map<string, number>();
    for (const p of deletedUnits) for (const b of p.blobs) if (!stillUsed.has(b.digest)) freed.set(b.digest, b.size);

    return {
        groups: plans,
        units,
        deletions: units.flatMap((u) => u.deletions),
        deferred,
        capped: deferred.length > 0,
        unordered,
        bytesReclaimable: [...freed.values()].reduce((a, b) => a + b, 0),
    };
}

/**
 * The plan narrowed to `allowed` digests (what preview showed): a fresh plan at update time
 * deletes only what both plans delete, and removes only the tags of what it deletes.
 */
export function restrictPlan(plan: RetentionPlan, allowed: ReadonlySet<string>): RetentionPlan {
    const units = plan.units
        .map((u) => ({ untag: u.untag.filter(([, d]) => allowed.has(d)), deletions: u.deletions.filter((d) => allowed.has(d)) }))
        .filter((u) => u.deletions.length > 0);
    return { ...plan, units, deletions: units.flatMap((u) => u.deletions) };
}
