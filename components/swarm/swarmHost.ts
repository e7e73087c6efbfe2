import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { renderNodeLabelScripts } from "../../lib/docker/nodeLabel";
import { SwarmNetwork } from "../../dynamic-providers/swarmNetwork";
import { SwarmManager } from "../../dynamic-providers/swarmManager";
import type { JoinedWorker, WorkerSpec } from "../../lib/docker/worker";
import { worker } from "../kit/workers";
import { projectDir } from "../kit/projectDir";
import { engineShell } from "./swarmResources";
import { sshAccessFolder } from "./sshAccess";

export interface SwarmHostArgs {
    /** Docker Engine endpoint of the swarm manager: `unix:///…` or `ssh://user@host[:port]`. */
    endpoint: string;
    /** Name of the attachable overlay network shared by Traefik and the services it routes to. @default "proxy" */
    networkName: pulumi.Input<string>;
    /** Labels set on the manager node (key → value); services are placed by them. */
    labels: Record<string, string>;
    /** Stack name, written as a label on everything created so leftovers can be found. */
    stack: string;
    /** Workers joined over SSH; removing one from the list drains and removes it. @default [] */
    workers?: Array<{ name: string; endpoint: string; labels: Record<string, string> }>;
    /**
     * How an ssh:// manager and the workers are reached: the key (secret) and their host keys
     * (known_hosts lines, checked strictly). Without it an ssh:// manager is reached with the
     * operator's own ssh setup.
     */
    ssh?: { privateKey: pulumi.Input<string>; knownHosts: string };
    /** The address workers reach a manager at when Slipway initialises its swarm. @default what the endpoint's host resolves to */
    advertiseAddress?: string;
}

/**
 * The Docker Swarm host: the engine connection every other component deploys through, the
 * overlay `proxy` network, the manager's node labels, and workers joined over SSH.
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
    /** Joined workers by name: node ID and hostname. */
    public readonly workers: pulumi.Output<Record<string, JoinedWorker>>;
    /** The swarm's manager: made when the host was in no swarm; its node, cluster and architecture. */
    public readonly manager: SwarmManager;
    /**
     * The SSH access folder (relative to Slipway's cache) commands and providers reach an ssh://
     * manager through, known once it is written; undefined when the operator's own ssh is used.
     */
    public readonly sshAccess?: pulumi.Output<string>;
    /** The same folder, for what reaches the workers (set when there are any). */
    public readonly workerAccess?: pulumi.Output<string>;

    constructor(name: string, args: SwarmHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:host:SwarmHost", name, {}, opts);
        // The key and host keys, written where every command and provider reaching an ssh:// node finds them.
        const createSshAccess = (): pulumi.Output<string> | undefined =>
            args.ssh ? sshAccessFolder(`${name}-ssh-access`, args.stack, args.ssh, this) : undefined;

        const createManager = (sshAccess: pulumi.Output<string> | undefined) =>
            new SwarmManager(
                `${name}-manager`,
                { endpoint: args.endpoint, ...(args.advertiseAddress ? { advertiseAddress: args.advertiseAddress } : {}), ...(sshAccess ? { sshAccess } : {}) },
                { parent: this },
            );

        const createProxyNetwork = (manager: SwarmManager, sshAccess: pulumi.Output<string> | undefined) =>
            new SwarmNetwork(
                `${name}-proxy`,
                {
                    endpoint: args.endpoint,
                    name: args.networkName,
                    attachable: true,
                    labels: { "slipway.stack": args.stack, "slipway.role": "proxy" },
                    ...(sshAccess ? { sshAccess } : {}),
                },
                { parent: this, dependsOn: [manager] },
            );

        const createNodeLabels = (manager: SwarmManager, sshAccess: pulumi.Output<string> | undefined) => {
            for (const [key, value] of Object.entries(args.labels)) {
                const scripts = renderNodeLabelScripts(key, value);
                new command.local.Command(
                    `${name}-label-${key}`,
                    {
                        create: scripts.create,
                        update: scripts.create,
                        delete: scripts.delete,
                        ...engineShell({ endpoint: args.endpoint, stack: args.stack, ...(sshAccess ? { sshAccess } : {}) }),
                    },
                    { parent: this, dependsOn: [manager] },
                );
            }
        };

        // Each worker joins with the manager's join token, over SSH, once the swarm has its network.
        const createWorkers = (network: pulumi.Resource) =>
            (args.workers ?? []).map((w) => {
                if (!args.ssh) throw new pulumi.ResourceError(`worker ${w.name} needs the sshPrivateKey secret and host.knownHosts`, this);
                const spec = pulumi.output(args.endpoint).apply((manager): WorkerSpec => ({ name: w.name, manager, worker: w.endpoint, labels: w.labels }));
                const join = new command.local.Command(
                    `${name}-worker-${w.name}`,
                    {
                        create: worker("swarmWorker", "join"),
                        update: worker("swarmWorker", "join"),
                        delete: worker("swarmWorker", "leave"),
                        dir: projectDir(),
                        environment: {
                            SLIPWAY_WORKER: spec.apply((x) => JSON.stringify(x)),
                            SLIPWAY_SSH_KEY: pulumi.secret(args.ssh.privateKey),
                            SLIPWAY_KNOWN_HOSTS: args.ssh.knownHosts,
                        },
                    },
                    { parent: this, dependsOn: [network] },
                );
                // The node ID is not secret; the command's outputs are (its environment holds the key).
                return pulumi.unsecret(join.stdout).apply((out): [string, JoinedWorker] => [w.name, JSON.parse(out.trim().split("\n").pop()!) as JoinedWorker]);
            });

        const access = createSshAccess();
        // The manager through the folder when it is reached over SSH; a local one as it always was.
        const sshAccess = args.endpoint.startsWith("ssh://") ? access : undefined;
        const manager = createManager(sshAccess);
        const network = createProxyNetwork(manager, sshAccess);
        createNodeLabels(manager, sshAccess);
        const workers = createWorkers(network);

        this.manager = manager;
        if (sshAccess) this.sshAccess = sshAccess;
        if (access && args.workers?.length) this.workerAccess = access;
        this.endpoint = pulumi.output(args.endpoint);
        this.networkName = network.name;
        this.networkId = network.id;
        this.labels = pulumi.output(args.labels);
        this.workers = pulumi.all(workers).apply((all) => Object.fromEntries(all));
        this.registerOutputs({ networkName: this.networkName, networkId: this.networkId, labels: this.labels, workers: this.workers });
    }
}
