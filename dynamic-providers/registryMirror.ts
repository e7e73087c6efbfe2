// RegistryMirror: an upstream image pinned by digest, copied into the platform registry, so
// the platform's nodes pull it from there (never from the internet at deploy time). The pin is
// the identity: the same pin is copied once; a new pin is copied and exported; refresh finds a
// mirror deleted from the registry, and the next up copies it again.
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "../lib/oci/connect";
import { isRepositoryTarget } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when mirroring behaviour changes, so the change shows in `pulumi preview`. */
export const REGISTRY_MIRROR_PROVIDER_VERSION = "1";

export interface RegistryMirrorArgs {
    /** Upstream `registry/repository[:tag]@sha256:…` (pinned). */
    from: pulumi.Input<string>;
    /** Target repository in the platform registry, `registry/repository`. */
    to: pulumi.Input<string>;
    /** The platform registry's CA and credentials folder (a RegistryLogin's): never a credential. */
    connection: { [K in keyof Connection]: pulumi.Input<Connection[K]> };
}

interface Inputs {
    from: string;
    to: string;
    connection: Connection;
    version: string;
}

interface Outputs extends Inputs {
    /** The pinned digest, as the target holds it ("" after refresh found it gone). */
    digest: string;
    /** `registry/repository@sha256:…` in the platform registry: what services run. */
    ref: string;
    mirroredAt: string;
}

const mirrorLib = () => providerLib("mirror/mirrorImage");

async function mirrorNow(inputs: Inputs): Promise<Outputs> {
    const result = await mirrorLib().mirrorReference(inputs.from, inputs.to, inputs.connection);
    return { ...inputs, digest: result.digest, ref: result.ref, mirroredAt: new Date().toISOString() };
}

export const registryMirrorProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (typeof news.from === "string" && !/@sha256:[a-f0-9]{64}$/.test(news.from))
            failures.push({ property: "from", reason: "must be pinned by digest: <ref>@sha256:<64 hex>" });
        if (typeof news.to === "string" && !isRepositoryTarget(news.to))
            failures.push({ property: "to", reason: "must be a repository, registry/repository (no tag or digest)" });
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        // Gone from the registry (found by refresh): copied again.
        return Promise.resolve(changedAlso(diffInputs(olds, news, { replaces: ["to"], updates: ["from", "version"] }), olds.digest === ""));
    },

    async create(inputs) {
        const outs = await mirrorNow(inputs);
        return { id: `${inputs.to}@${outs.digest}`, outs };
    },

    async update(_id, _olds, news) {
        return { outs: await mirrorNow(news) };
    },

    async read(id, props) {
        if (!props) return {};
        const pinned = props.from.slice(props.from.lastIndexOf("@") + 1);
        // Unconfirmed (the registry does not answer, or refuses) reads as gone: the next up copies
        // it again, and fails there, loudly, if the registry still cannot take it.
        const digest = await mirrorLib()
            .mirroredDigest(props.to, pinned, props.connection)
            .catch(() => "");
        return { id, props: { ...props, digest } };
    },

    async delete() {
        // Services may still run the mirrored image: removing the mirror never deletes it.
    },
};

/** Copies a pinned upstream image into the platform registry. */
export class RegistryMirror extends pulumi.dynamic.Resource {
    declare readonly digest: pulumi.Output<string>;
    declare readonly ref: pulumi.Output<string>;
    declare readonly mirroredAt: pulumi.Output<string>;

    constructor(name: string, args: RegistryMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            registryMirrorProvider,
            name,
            { ...args, version: REGISTRY_MIRROR_PROVIDER_VERSION, digest: undefined, ref: undefined, mirroredAt: undefined },
            opts,
            "slipway",
            "RegistryMirror",
        );
    }
}
