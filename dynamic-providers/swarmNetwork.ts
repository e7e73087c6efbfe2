// SwarmNetwork: an overlay network on a swarm, as a dynamic provider over the Docker CLI.
// (No pulumi-docker plugin can be built here: the Go module proxy serves none of its provider
// module versions. This covers what Slipway needs, with a real `read` so refresh sees drift.)
import * as pulumi from "@pulumi/pulumi";
import { providerLib } from "./kit/libs";
import { diffInputs } from "./kit/diff";

/** Bumped when the provider's behaviour changes, so the change shows in `pulumi preview`. */
export const SWARM_NETWORK_PROVIDER_VERSION = "1";

export interface SwarmNetworkArgs {
    /** Docker Engine endpoint of a swarm manager: `unix:///…` or `ssh://user@host`. */
    endpoint: pulumi.Input<string>;
    /** Network name; unique on the swarm. */
    name: pulumi.Input<string>;
    /** Whether standalone containers may attach (services always can). @default true */
    attachable?: pulumi.Input<boolean>;
    /** Labels on the network (immutable: a change replaces it). @default {} */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The site's SSH access folder (relative to Slipway's cache) an ssh:// endpoint is reached through; unset: the operator's own ssh setup. */
    sshAccess?: pulumi.Input<string>;
}

/** What the provider sees: the args resolved. */
interface NetworkInputs {
    endpoint: string;
    name: string;
    driver: string;
    attachable: boolean;
    labels: Record<string, string>;
    sshAccess?: string;
    version: string;
}

interface NetworkOutputs extends NetworkInputs {
    scope: string;
}

const networkLib = () => providerLib("docker/network");

const IMMUTABLE: Array<keyof NetworkInputs> = ["endpoint", "name", "driver", "attachable", "labels"];

export const swarmNetworkProvider: pulumi.dynamic.ResourceProvider<NetworkInputs, NetworkOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (!news.name || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(news.name))
            failures.push({ property: "name", reason: "must be a Docker network name (letters, digits, '_', '.', '-')" });
        if (!news.endpoint) failures.push({ property: "endpoint", reason: "is required: unix:///var/run/docker.sock or ssh://user@host" });
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        // Docker network names are unique: the old one must go before the new one is made.
        return Promise.resolve(diffInputs(olds, news, { replaces: IMMUTABLE, updates: ["version", "sshAccess"], deleteBeforeReplace: true }));
    },

    async create(inputs) {
        const state = await networkLib().createNetwork(inputs.endpoint, inputs, inputs.sshAccess);
        return { id: state.id, outs: { ...inputs, scope: state.scope } };
    },

    async read(id, props) {
        const state = props && (await networkLib().inspectNetwork(props.endpoint, id, props.sshAccess));
        // No id tells the engine the network is gone: refresh reports it as deleted.
        if (!props || !state) return {};
        return { id, props: { ...props, name: state.name, driver: state.driver, attachable: state.attachable, labels: state.labels, scope: state.scope } };
    },

    async update(_id, olds, news) {
        // Only the provider version and the SSH access folder change in place; everything else replaces.
        return Promise.resolve({ outs: { ...news, scope: olds.scope } });
    },

    async delete(id, props) {
        await networkLib().removeNetwork(props.endpoint, id, props.sshAccess);
    },
};

/** An overlay network on a Docker swarm. */
export class SwarmNetwork extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    declare readonly scope: pulumi.Output<string>;
    declare readonly labels: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SwarmNetworkArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs = { driver: "overlay", attachable: true, labels: {}, ...args, version: SWARM_NETWORK_PROVIDER_VERSION, scope: undefined };
        super(swarmNetworkProvider, name, inputs, opts, "slipway", "SwarmNetwork");
    }
}
