import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { SwarmHost } from "./swarmHost";

export interface PlatformArgs {
    /** The validated stack configuration (see config/). */
    config: PlatformConfig;
}

/**
 * The whole platform, built from validated config. Its children are the components of
 * ../shared/DESIGN.md's resource graph; the foundation has the swarm host.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly host: SwarmHost;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:index:Platform", name, {}, opts);
        const { config } = args;

        this.host = new SwarmHost(
            `${name}-host`,
            {
                endpoint: config.host.endpoint,
                networkName: config.host.networkName,
                labels: config.host.labels,
                stack: config.stack,
            },
            { parent: this },
        );

        this.registerOutputs({ proxyNetwork: this.host.networkName });
    }
}
