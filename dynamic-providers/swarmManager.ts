// SwarmManager: the swarm every stack deploys into, made and checked on the manager's engine.
// A host in no swarm gets one (swarm init); the manager of this stack's swarm is left alone; a
// worker, or a manager of a swarm other than the one recorded, is refused with what to do.
// Its diff asks the engine each time, so a swarm left or rebuilt by hand is noticed by the next
// preview, and refresh reads it too. Destroying it leaves the swarm: other stacks may use it.
import * as pulumi from "@pulumi/pulumi";
import { hostsOutOfReach, isUnknown } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when the provider's behaviour changes, so the change shows in `pulumi preview`. */
export const SWARM_MANAGER_PROVIDER_VERSION = "1";

export interface SwarmManagerArgs {
    /** Docker Engine endpoint of the manager: `unix:///…` or `ssh://user@host[:port]`. */
    endpoint: pulumi.Input<string>;
    /** The address other nodes reach it at, for a swarm made here. @default what the endpoint's host resolves to */
    advertiseAddress?: pulumi.Input<string>;
    /** The site's SSH access folder (relative to Slipway's cache); unset: the operator's own ssh setup. */
    sshAccess?: pulumi.Input<string>;
}

interface Inputs {
    endpoint: string;
    advertiseAddress?: string;
    sshAccess?: string;
    version: string;
}

interface Outputs extends Inputs {
    nodeId: string;
    clusterId: string;
    nodeAddress: string;
    architecture: string;
}

const managerLib = () => providerLib("docker/manager");
const sshLib = () => providerLib("docker/sshIdentity");

async function ensure(inputs: Inputs, recorded?: string): Promise<Outputs> {
    const env = sshLib().sshAccessEnv(inputs.sshAccess);
    // The provider's own progress cannot reach the engine's log; what it did is in its outputs.
    const state = await managerLib().ensureManager(
        { endpoint: inputs.endpoint, ...(inputs.advertiseAddress ? { advertiseAddress: inputs.advertiseAddress } : {}) },
        recorded,
        env,
        () => undefined,
    );
    return { ...inputs, ...state };
}

export const swarmManagerProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (!isUnknown(news.endpoint) && !/^(unix:\/\/\/.+|ssh:\/\/[^@\s]+@[^\s:/]+(:\d+)?)$/.test(news.endpoint ?? ""))
            failures.push({ property: "endpoint", reason: "must be unix:///path/to/docker.sock or ssh://user@host[:port]" });
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        const diff = diffInputs(olds, news, { replaces: ["endpoint"], updates: ["advertiseAddress", "sshAccess", "version"] });
        // The engine's answer, not the state's: a swarm left or rebuilt by hand is a change.
        if (diff.changes || isUnknown(news.sshAccess) || hostsOutOfReach()) return diff;
        const info = await managerLib().engineInfo(news.endpoint, sshLib().sshAccessEnv(news.sshAccess));
        const swarm = info.Swarm;
        return changedAlso(diff, swarm.LocalNodeState !== "active" || !swarm.ControlAvailable || swarm.Cluster?.ID !== olds.clusterId);
    },

    async create(inputs) {
        const outs = await ensure(inputs);
        return { id: outs.clusterId, outs };
    },

    async update(_id, olds, news) {
        return { outs: await ensure(news, olds.clusterId) };
    },

    async read(id, props) {
        if (!props) return {};
        const info = await managerLib().engineInfo(props.endpoint, sshLib().sshAccessEnv(props.sshAccess));
        // Another swarm, or none: refresh shows it gone, and the next up makes or refuses one.
        if (info.Swarm.LocalNodeState !== "active" || info.Swarm.Cluster?.ID !== props.clusterId) return {};
        return { id, props };
    },

    async delete() {
        // The swarm stays: leaving it would take down whatever else runs on it.
    },
};

/** The swarm manager a stack deploys through, initialised when its host is in no swarm. */
export class SwarmManager extends pulumi.dynamic.Resource {
    declare readonly nodeId: pulumi.Output<string>;
    declare readonly clusterId: pulumi.Output<string>;
    declare readonly nodeAddress: pulumi.Output<string>;
    declare readonly architecture: pulumi.Output<string>;

    constructor(name: string, args: SwarmManagerArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs = {
            ...args,
            version: SWARM_MANAGER_PROVIDER_VERSION,
            ...Object.fromEntries(["nodeId", "clusterId", "nodeAddress", "architecture"].map((k) => [k, undefined])),
        };
        super(swarmManagerProvider, name, inputs, opts, "slipway", "SwarmManager");
    }
}
