// RetentionPolicy: prunes a repository to the newest N publications per group. check plans in
// full (preview lists exactly the digests that would go, and the bytes reclaimable); an update
// deletes only what preview showed and a fresh plan confirms. Fails closed on any doubt.
import * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs } from "./kit/diff";

/** Bumped when pruning behaviour changes, so the change shows in `pulumi preview`. */
export const RETENTION_POLICY_PROVIDER_VERSION = "2";

export interface RetentionPolicyArgs {
    /** `registry/repository` to prune. */
    repository: pulumi.Input<string>;
    /** Annotation keys defining a group, e.g. platform, family, arch. */
    groupBy: pulumi.Input<pulumi.Input<string>[]>;
    /** Publications kept per group. @default 3 */
    keep?: pulumi.Input<number>;
    /** Digests never deleted (deployed, or exported to other stacks). */
    protect?: pulumi.Input<pulumi.Input<string>[]>;
    /** Most manifests one run deletes; reaching it is reported. @default 100 */
    maxDeletes?: pulumi.Input<number>;
    /** Plan and report only. @default false */
    dryRun?: pulumi.Input<boolean>;
    /** Talk plain HTTP to the registry (loopback only). @default false */
    insecure?: pulumi.Input<boolean>;
    /** PEM of the CA behind the registry's certificate, when the system does not trust it (public). */
    caCertificate?: pulumi.Input<string>;
    /** Docker config folder (relative to Slipway's cache) holding the registry's credentials, as a RegistryLogin writes it. */
    credentialsDir?: pulumi.Input<string>;
}

interface Inputs {
    repository: string;
    groupBy: string[];
    keep: number;
    protect: string[];
    maxDeletes: number;
    dryRun: boolean;
    insecure: boolean;
    caCertificate?: string;
    credentialsDir?: string;
    version: string;
    /** Filled in by check: what this run would delete, and the bytes that frees. */
    plannedDeletions: string[];
    bytesReclaimable: number;
}

interface Outputs extends Inputs {
    kept: Record<string, string[]>;
    deleted: string[];
    capped: boolean;
    /** When this prune ran: tells a deletion of this update from one kept in state since an earlier one. */
    ranAt: string;
}

const retainLib = () => providerLib("retention/retainReference");
const optionsOf = (i: Inputs) => ({ groupBy: i.groupBy, keep: i.keep, protect: i.protect, maxDeletes: i.maxDeletes });
const connectionOf = (i: Inputs) => ({
    insecure: i.insecure,
    ...(i.caCertificate ? { caCertificate: i.caCertificate } : {}),
    ...(i.credentialsDir ? { credentialsDir: i.credentialsDir } : {}),
});

async function prune(inputs: Inputs): Promise<Outputs> {
    const lib = retainLib();
    const { plan, deleted } = inputs.dryRun
        ? { plan: await lib.planFor(inputs.repository, optionsOf(inputs), connectionOf(inputs)), deleted: [] as string[] }
        : await lib.retain(inputs.repository, optionsOf(inputs), inputs.plannedDeletions, connectionOf(inputs));
    if (plan.capped)
        await pulumi.log.warn(`${inputs.repository}: maxDeletes (${inputs.maxDeletes}) reached; ${plan.deferred.length} publications left for the next run`);
    const kept = Object.fromEntries(plan.groups.map((g) => [Object.values(g.group).join("/"), g.kept]));
    // What is still planned after this run: nothing once applied, the whole plan for a dry run.
    // (These outputs are what the next diff compares with the next check's plan.)
    const plannedDeletions = inputs.dryRun
        ? inputs.plannedDeletions
        : plan.deferred.length > 0
          ? inputs.plannedDeletions.filter((d) => !deleted.includes(d))
          : [];
    return { ...inputs, plannedDeletions, kept, deleted, capped: plan.capped, ranAt: new Date().toISOString() };
}

export const retentionPolicyProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (!isUnknown(news.repository) && !/^[^/\s]+\/[a-z0-9][\w./-]*$/.test(news.repository ?? ""))
            failures.push({ property: "repository", reason: "must be registry/repository" });
        if (!Array.isArray(news.groupBy) || news.groupBy.length === 0) failures.push({ property: "groupBy", reason: "needs at least one annotation key" });
        if (!(news.keep >= 1)) failures.push({ property: "keep", reason: "must be at least 1: retention never empties a group" });
        if (!(news.maxDeletes >= 1)) failures.push({ property: "maxDeletes", reason: "must be at least 1" });
        if (failures.length > 0) return { inputs: news, failures };
        // In a preview before the registry or its credentials exist there is nothing to plan
        // yet: the update checks again with everything known, and plans then.
        if ([news.repository, news.credentialsDir, news.caCertificate, news.protect].some(isUnknown)) return { inputs: news, failures };
        // Plan in full here: preview shows exactly what the update would delete.
        const plan = await retainLib().planFor(news.repository, optionsOf(news), connectionOf(news));
        return { inputs: { ...news, plannedDeletions: plan.deletions, bytesReclaimable: plan.bytesReclaimable }, failures };
    },

    async diff(_id, olds, news) {
        return Promise.resolve(
            diffInputs(olds, news, {
                replaces: ["repository"],
                updates: ["groupBy", "keep", "protect", "maxDeletes", "dryRun", "version", "plannedDeletions"],
            }),
        );
    },

    async create(inputs) {
        return { id: inputs.repository, outs: await prune(inputs) };
    },

    async update(_id, _olds, news) {
        return { outs: await prune(news) };
    },

    async delete() {
        // Removing the policy stops pruning; it deletes nothing.
    },
};

/** Keeps the newest `keep` publications per group in a repository and deletes the rest. */
export class RetentionPolicy extends pulumi.dynamic.Resource {
    declare readonly plannedDeletions: pulumi.Output<string[]>;
    declare readonly bytesReclaimable: pulumi.Output<number>;
    declare readonly kept: pulumi.Output<Record<string, string[]>>;
    declare readonly deleted: pulumi.Output<string[]>;
    declare readonly capped: pulumi.Output<boolean>;
    declare readonly ranAt: pulumi.Output<string>;
    /** Whether the run only planned: then plannedDeletions is exactly what a real run would delete. */
    declare readonly dryRun: pulumi.Output<boolean>;
    declare readonly maxDeletes: pulumi.Output<number>;

    constructor(name: string, args: RetentionPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs = {
            ...args,
            keep: args.keep ?? 3,
            protect: args.protect ?? [],
            maxDeletes: args.maxDeletes ?? 100,
            dryRun: args.dryRun ?? false,
            insecure: args.insecure ?? false,
            version: RETENTION_POLICY_PROVIDER_VERSION,
            ...Object.fromEntries(["plannedDeletions", "bytesReclaimable", "kept", "deleted", "capped", "ranAt"].map((k) => [k, undefined])),
        };
        super(retentionPolicyProvider, name, inputs, opts, "slipway", "RetentionPolicy");
    }
}
