// RegistryRepository: a repository declared in config (`registry.repositories`) made to exist in
// the platform registry by its marker artifact (lib/repository/declareRepository), so other
// stacks and CI can name it before the first push. Refresh finds a marker deleted by hand and
// the next up writes it again; deleting the resource removes the marker, never pushed content.
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "../lib/oci/connect";
import { isRepositoryTarget } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when the marker or its handling changes, so the change shows in `pulumi preview`. */
export const REGISTRY_REPOSITORY_PROVIDER_VERSION = "1";

export interface RegistryRepositoryArgs {
    /** `registry/repository` in the platform registry. */
    repository: pulumi.Input<string>;
    /** The platform registry's CA and credentials folder (a RegistryLogin's): never a credential. */
    connection: { [K in keyof Connection]: pulumi.Input<Connection[K]> };
}

interface Inputs {
    repository: string;
    connection: Connection;
    version: string;
}

interface Outputs extends Inputs {
    /** The marker's digest ("" after refresh found it gone). */
    digest: string;
}

const repositoryLib = () => providerLib("repository/declareRepository");

async function declareNow(inputs: Inputs): Promise<Outputs> {
    const lib = repositoryLib();
    return { ...inputs, digest: await lib.withRepository(inputs.repository, inputs.connection, (client, repo) => lib.declareRepository(client, repo)) };
}

export const registryRepositoryProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (typeof news.repository === "string" && !isRepositoryTarget(news.repository)) {
            failures.push({ property: "repository", reason: "must be a repository, registry/repository (no tag or digest)" });
        }
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        // Gone from the registry (found by refresh): declared again.
        return Promise.resolve(changedAlso(diffInputs(olds, news, { replaces: ["repository"], updates: ["version"] }), olds.digest === ""));
    },

    async create(inputs) {
        return { id: inputs.repository, outs: await declareNow(inputs) };
    },

    async update(_id, _olds, news) {
        return { outs: await declareNow(news) };
    },

    async read(id, props) {
        if (!props) return {};
        // Unconfirmed (the registry does not answer, or refuses) reads as gone: the next up
        // declares it again, and fails there, loudly, if the registry still cannot take it.
        const lib = repositoryLib();
        const digest = await lib.withRepository(props.repository, props.connection, (client, repo) => lib.declaredDigest(client, repo)).catch(() => "");
        return { id, props: { ...props, digest } };
    },

    async delete(_id, props) {
        await repositoryLib().withRepository(props.repository, props.connection, (client, repo) => repositoryLib().undeclareRepository(client, repo));
    },
};

/** A declared repository in the platform registry. */
export class RegistryRepository extends pulumi.dynamic.Resource {
    declare readonly repository: pulumi.Output<string>;
    declare readonly digest: pulumi.Output<string>;

    constructor(name: string, args: RegistryRepositoryArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            registryRepositoryProvider,
            name,
            { ...args, version: REGISTRY_REPOSITORY_PROVIDER_VERSION, digest: undefined },
            opts,
            "slipway",
            "RegistryRepository",
        );
    }
}
