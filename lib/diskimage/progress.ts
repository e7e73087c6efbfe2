// Long steps say what they do and how long it took: the build runs under `pulumi up`, whose
// output streams what the build prints, so an operator sees each step as it ends.

export type Progress = (line: string) => void;

export async function timedStep<T>(progress: Progress, what: string, step: () => Promise<T>): Promise<T> {
    const start = Date.now();
    progress(`${what}…`);
    const result = await step();
    progress(`${what}: done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
}
