import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { renderNodeLabelScripts } from "../lib/render/nodeLabel";

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
    /** The Docker provider for this host; pass it to resources deployed on the swarm. */
    public readonly provider: docker.Provider;
    /** Name of the overlay network services join to be reachable through Traefik. */
    public readonly networkName: pulumi.Output<string>;
    /** Docker's id of that network. */
    public readonly networkId: pulumi.Output<string>;
    /** The node labels, as set. */
    public readonly labels: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SwarmHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:host:SwarmHost", name, {}, opts);

        const createProxyNetwork = () =>
            new docker.Network(
                `${name}-proxy`,
                {
                    name: args.networkName,
                    driver: "overlay",
                    attachable: true,
                    labels: [
                        { label: "slipway.stack", value: args.stack },
                        { label: "slipway.role", value: "proxy" },
                    ],
                },
                // Docker network names are unique: a replacement with the same name must delete first.
                { parent: this, provider, deleteBeforeReplace: true },
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

        const provider = new docker.Provider(`${name}-engine`, { host: args.endpoint }, { parent: this });
        const network = createProxyNetwork();
        createNodeLabels();

        this.provider = provider;
        this.networkName = network.name;
        this.networkId = network.id;
        this.labels = pulumi.output(args.labels);
        this.registerOutputs({ networkName: this.networkName, networkId: this.networkId, labels: this.labels });
    }
}
