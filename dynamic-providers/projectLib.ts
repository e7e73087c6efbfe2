// Loads a compiled lib module of the project a dynamic provider runs in, at call time.
// A provider's code is serialized into the state: a relative import would not resolve where
// it is evaluated, and capturing a module would freeze a copy of it in every resource's
// state. The provider process runs in the program's folder (bin/, or an example's folder)
// inside the project: walk up to the first folder holding bin/lib/<module>.js.
export function projectLib<T>(module: string): T {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const path = require("node:path") as typeof import("node:path");
    const fs = require("node:fs") as typeof import("node:fs");
    const relative = path.join("bin", "lib", `${module}.js`);
    let dir = process.cwd();
    while (!fs.existsSync(path.join(dir, relative)) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const file = path.join(dir, relative);
    try {
        return require(file) as T;
    } catch (error) {
        throw new Error(`Slipway's compiled code is missing at ${file} (${String(error)}): run \`npm run build\` in the project directory`);
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * Whether a dynamic provider's input is not known yet: in a preview, an input computed from a
 * resource that does not exist yet reaches `check` as this sentinel (the engine's unknown).
 * `check` validates what is known and leaves the rest to the update, when it is checked again.
 */
export function isUnknown(value: unknown): boolean {
    return value === "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
}

/** Whether `target` is `registry/repository`: no tag or digest after the registry host (lib/oci/reference's parseRepository, for check). */
export function isRepositoryTarget(target: string): boolean {
    return !/[:@]/.test(target.split("/").slice(1).join("/"));
}

/**
 * Whether this run cannot reach the site's hosts by design: a pull-request preview in the
 * platform's CI (scripts/images/steps/preview.sh sets SLIPWAY_PREVIEW_WITHOUT_HOSTS), which holds
 * no SSH key or engine socket of the site. A `diff` that would ask a host whether it drifted
 * (a swarm left, an image or service removed by hand) then diffs inputs against the state only;
 * the preview's comment says drift was not checked. Nothing else is relaxed: create, update,
 * read and delete still ask the host, and fail closed.
 */
export function hostsOutOfReach(): boolean {
    return process.env.SLIPWAY_PREVIEW_WITHOUT_HOSTS === "true";
}
