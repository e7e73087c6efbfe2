import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { renderNodeLabelScripts } from "../lib/render/nodeLabel";
import { SwarmNetwork } from "../dynamic-providers/swarmNetwork";

export interface SwarmHostArgs {
    /** Docker Engine endpoint of the swarm manager: `unix:///…` or `ssh://user@host`. @default "unix:///var/run/docker.sock" */
    endpoint: pulumi.Input<string>;
    /** Name of the attachable overlay network shared by Traefik and the services it routes to. @default "proxy" */
    networkName: pulumi.Input<string>;
    /** Labels set on the manager node (key → value); services are placed by them. */
    labels: Record<string, string>;
    /** Stack name, written as a label on everything created so leftovers can be found. */
    stack: string;
}

/**
 * The Docker Swarm host: the engine connection every other component deploys through, the
 * overlay `proxy` network, and the manager's node labels.
 */
export class SwarmHost extends pulumi.ComponentResource {
    /** Docker Engine endpoint of the manager, for resources deployed on the swarm. */
    public readonly endpoint: pulumi.Output<string>;
    /** Name of the overlay network services join to be reachable through Traefik. */
    public readonly networkName: pulumi.Output<string>;
    /** Docker's id of that network. */
    public readonly networkId: pulumi.Output<string>;
    /** The node labels, as set. */
    public readonly labels: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SwarmHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:host:SwarmHost", name, {}, opts);

        const createProxyNetwork = () =>
            new SwarmNetwork(
                `${name}-proxy`,
                {
                    endpoint: args.endpoint,
                    name: args.networkName,
                    attachable: true,
                    labels: { "slipway.stack": args.stack, "slipway.role": "proxy" },
                },
                { parent: this },
            );

        const createNodeLabels = () => {
            for (const [key, value] of Object.entries(args.labels)) {
                const scripts = renderNodeLabelScripts(key, value);
                new command.local.Command(
                    `${name}-label-${key}`,
                    {
                        create: scripts.create,
                        update: scripts.create,
                        delete: scripts.delete,
                        environment: { DOCKER_HOST: args.endpoint },
                        interpreter: ["/bin/sh", "-c"],
                    },
                    { parent: this },
                );
            }
        };

        const network = createProxyNetwork();
        createNodeLabels();

        this.endpoint = pulumi.output(args.endpoint);
        this.networkName = network.name;
        this.networkId = network.id;
        this.labels = pulumi.output(args.labels);
        this.registerOutputs({ networkName: this.networkName, networkId: this.networkId, labels: this.labels });
    }
}
