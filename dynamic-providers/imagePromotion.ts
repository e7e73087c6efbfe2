// ImagePromotion: prod runs exactly the artifact that was validated, never rebuilt. The source
// is resolved once (in check, so preview shows the digest that will be promoted), gated on its
// revision label, and copied with its signatures; the target tag moves last.
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "../lib/oci/connect";
import { isUnknown } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when promotion behaviour changes, so the change shows in `pulumi preview`. */
export const IMAGE_PROMOTION_PROVIDER_VERSION = "2";

export interface ImagePromotionArgs {
    /** Staging reference, `registry/repository:tag` (or @digest). */
    source: pulumi.Input<string>;
    /** Production tag, `registry/repository:tag`, in the same registry. */
    target: pulumi.Input<string>;
    /** The validated commit; the source's org.opencontainers.image.revision label must equal it. */
    expectedRevision: pulumi.Input<string>;
    /** A CosignVerification's digest: the promotion then waits for, and must promote exactly, the verified artifact. */
    verifiedDigest?: pulumi.Input<string>;
    /** Talk plain HTTP to the registry (loopback only). @default false */
    insecure?: pulumi.Input<boolean>;
    /** A private CA and a credentials folder (a RegistryLogin's), when the registry needs them: never a credential. */
    connection?: { [K in keyof Connection]: pulumi.Input<Connection[K]> };
}

interface Inputs {
    source: string;
    target: string;
    expectedRevision: string;
    verifiedDigest?: string;
    insecure: boolean;
    connection?: Connection;
    /** Filled in by check: the digest the source names at preview time. */
    sourceDigest: string;
    version: string;
}

interface Outputs extends Inputs {
    digest: string;
    revision: string;
    promotedAt: string;
}

/** The registry connection: the folder and CA when given, else plain HTTP or default TLS. */
const connectionOf = (inputs: Pick<Inputs, "insecure" | "connection">): Connection => ({ insecure: inputs.insecure, ...inputs.connection });

const promoteLib = () => providerLib("promotion/promoteReference");

async function promoteNow(inputs: Inputs): Promise<Outputs> {
    if (inputs.verifiedDigest && inputs.verifiedDigest !== inputs.sourceDigest) {
        throw new Error(
            `the source now resolves to ${inputs.sourceDigest}, but ${inputs.verifiedDigest} is the verified digest: promote only what was verified`,
        );
    }
    const result = await promoteLib().promoteDigest(inputs.source, inputs.sourceDigest, inputs.target, inputs.expectedRevision, connectionOf(inputs));
    return { ...inputs, digest: result.digest, revision: result.revision, promotedAt: new Date().toISOString() };
}

export const imagePromotionProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (!news.expectedRevision?.trim()) failures.push({ property: "expectedRevision", reason: "is empty: promotion needs the validated commit SHA" });
        for (const k of ["source", "target"] as const)
            if (!/^[^/\s]+\/\S+[:@]\S+$/.test(news[k] ?? "")) failures.push({ property: k, reason: "must be registry/repository:tag" });
        if (failures.length > 0) return { inputs: news, failures };
        // Inputs known only once other resources exist (a login not run yet): resolved by the update's check.
        if (isUnknown(news.source) || isUnknown(news.connection) || Object.values(news.connection ?? {}).some(isUnknown)) return { inputs: news, failures };
        // Resolve once, here: preview shows the digest the update will promote.
        return { inputs: { ...news, sourceDigest: await promoteLib().resolveSource(news.source, connectionOf(news)) }, failures };
    },

    async diff(_id, olds, news) {
        // A target moved away (found by refresh) is promoted again.
        const diff = diffInputs(olds, news, { replaces: ["target"], updates: ["sourceDigest", "expectedRevision", "verifiedDigest", "version"] });
        return Promise.resolve(changedAlso(diff, olds.digest !== olds.sourceDigest));
    },

    async create(inputs) {
        const outs = await promoteNow(inputs);
        return { id: `${inputs.target}@${outs.digest}`, outs };
    },

    async update(_id, _olds, news) {
        return { outs: await promoteNow(news) };
    },

    async read(id, props) {
        if (!props) return {};
        // Drift: the target tag no longer names the promoted digest.
        return { id, props: { ...props, digest: await promoteLib().targetDigest(props.target, connectionOf(props)) } };
    },

    async delete() {
        // Production keeps running what it runs: removing the resource never deletes a tag.
    },
};

/** Promotes the validated staging artifact to the production tag, without rebuilding it. */
export class ImagePromotion extends pulumi.dynamic.Resource {
    declare readonly digest: pulumi.Output<string>;
    declare readonly revision: pulumi.Output<string>;
    declare readonly sourceDigest: pulumi.Output<string>;
    declare readonly promotedAt: pulumi.Output<string>;

    constructor(name: string, args: ImagePromotionArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs = {
            ...args,
            insecure: args.insecure ?? false,
            version: IMAGE_PROMOTION_PROVIDER_VERSION,
            sourceDigest: undefined,
            digest: undefined,
            revision: undefined,
            promotedAt: undefined,
        };
        super(imagePromotionProvider, name, inputs, opts, "slipway", "ImagePromotion");
    }
}
