// SwarmStackProbe: a stack's deploy is a command Pulumi cannot read back, so a stack removed by
// hand stayed removed through every `up`. This probe can: its diff asks the engine which of
// the stack's declared services exist, and when one is missing its generation goes up; the
// deploy command carries the generation in its environment, so it runs again (an update, never
// a replacement: replacing would remove the stack's volumes). Deploying is idempotent.
import * as pulumi from "@pulumi/pulumi";
import { hostsOutOfReach, isUnknown } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

export const SWARM_STACK_PROBE_VERSION = "1";

interface Inputs {
    endpoint: string;
    stack: string;
    /** Service names as the compose document declares them. */
    services: string[];
    /** The site's SSH access folder for an ssh:// endpoint (relative to Slipway's cache). */
    sshAccess?: string;
    version: string;
}

interface Outputs extends Inputs {
    generation: number;
}

const stackLib = () => providerLib("docker/stack");

export const swarmStackProbeProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async diff(_id, olds, news) {
        const diff = diffInputs(olds, news, { updates: ["endpoint", "stack", "version", "sshAccess", "services"] });
        if (diff.changes || isUnknown(news.endpoint) || hostsOutOfReach()) return diff;
        const missing = await stackLib().missingServices(news.endpoint, news.stack, news.services, news.sshAccess);
        return changedAlso(diff, missing.length > 0);
    },

    async create(inputs) {
        return Promise.resolve({ id: `${inputs.stack}-probe`, outs: { ...inputs, generation: 1 } });
    },

    async update(_id, olds, news) {
        // Only a missing service is a reason to deploy again; a changed document redeploys by itself.
        const missing = await stackLib().missingServices(news.endpoint, news.stack, news.services, news.sshAccess);
        return { outs: { ...news, generation: (olds.generation ?? 1) + (missing.length > 0 ? 1 : 0) } };
    },
};

export class SwarmStackProbe extends pulumi.dynamic.Resource {
    /** Goes up each time the stack is found incomplete. */
    declare readonly generation: pulumi.Output<number>;

    constructor(
        name: string,
        args: { endpoint: pulumi.Input<string>; stack: string; services: pulumi.Input<string[]>; sshAccess?: pulumi.Input<string> },
        opts?: pulumi.CustomResourceOptions,
    ) {
        super(swarmStackProbeProvider, name, { ...args, version: SWARM_STACK_PROBE_VERSION, generation: undefined }, opts, "slipway", "SwarmStackProbe");
    }
}
