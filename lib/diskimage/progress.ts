// Long steps say what they do and how long it took: the build runs under `pulumi up`, whose
// output streams what the build prints, so an operator sees each step as it ends.

export type Progress = (line: string) => void;

/** `what` is shown as is, or as "<what> [i/n]" when the step's place among n steps is known. */
export async function timedStep<T>(progress: Progress, what: string, step: () => Promise<T>, place?: { index: number; of: number }): Promise<T> {
    const start = Date.now();
    if (place) what = `${what} [${place.index}/${place.of}]`;
    progress(`${what}…`);
    const result = await step();
    progress(`${what}: done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
}

/** "<done>/<total> MiB" with one decimal: how far a transfer is. */
export function mebibytes(done: number, total: number): string {
    const mib = (bytes: number) => (bytes / (1 << 20)).toFixed(1);
    return `${mib(done)}/${mib(total)} MiB`;
}
