// What every dynamic provider's `check` and `diff` ask of their inputs and of the run.
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
