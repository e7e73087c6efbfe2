// The one shape of a dynamic provider's diff. Every provider says which inputs update it and
// which replace it; the result always carries `changes`, `replaces` and `deleteBeforeReplace`,
// so a reader (and `pulumi preview`) sees the same answer from every provider.
//
// (@pulumi/pulumi's dynamic providers cannot report a detailed diff: the SDK's provider server
// forwards changes, replaces and deleteBeforeReplace only. The engine shows which inputs differ.)

/** What one provider's inputs mean to its diff. */
export interface DiffSpec<T> {
    /** Inputs whose change updates the resource in place, compared as JSON. */
    updates?: readonly (keyof T & string)[];
    /** Inputs whose change replaces the resource. */
    replaces?: readonly (keyof T & string)[];
    /** The value an input had before it existed (state an earlier Slipway wrote). */
    defaults?: { [K in keyof T]?: T[K] };
    /** The old resource must go before the new one is made (a name the target keeps unique). */
    deleteBeforeReplace?: boolean;
}

/** A diff's answer: all three fields, always. */
export interface InputDiff {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/** Compares the state's inputs with the program's, as `spec` says. */
export function diffInputs<T extends object>(olds: T, news: T, spec: DiffSpec<T>): InputDiff {
    const defaults = (spec.defaults ?? {}) as Record<string, unknown>;
    const value = (inputs: T, key: string) => JSON.stringify((inputs as Record<string, unknown>)[key] ?? defaults[key]);
    const differs = (key: string) => value(olds, key) !== value(news, key);
    const replaces = (spec.replaces ?? []).filter(differs);
    const changes = replaces.length > 0 || (spec.updates ?? []).some(differs);
    return { changes, replaces, deleteBeforeReplace: spec.deleteBeforeReplace ?? false };
}

/** The same diff, changed also when `found` is (drift a read or the host reported). */
export function changedAlso(diff: InputDiff, found: boolean): InputDiff {
    return { ...diff, changes: diff.changes || found };
}
