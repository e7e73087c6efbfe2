import * as pulumi from "@pulumi/pulumi";
import { renderCompose, type ComposeService } from "../../lib/docker/compose";
import { renderGcCrontab, renderGcRunner, renderGcScript, renderPruneScript } from "../../lib/docker/maintenance";
import { swarmObject, swarmStack, type SwarmContext } from "./swarmResources";

export interface MaintenanceStackArgs extends SwarmContext {
    /** Image ID or pinned reference of the maintenance image (busybox and Docker's CLI). */
    image: pulumi.Input<string>;
    /** Prune every node's unused images and anonymous volumes older than this (hours); 0: no prune. */
    pruneOlderThanHours: number;
    /** Cron schedule (UTC) of the registry's garbage collection; unset: none. */
    gcSchedule?: string;
    /** The registry's swarm service (`<stack>_<service>`), made read-only while it is collected. */
    registryService: string;
}

const SOCKET = { type: "bind" as const, source: "/var/run/docker.sock", target: "/var/run/docker.sock" };
const SCRIPTS = "/slipway";

/**
 * What keeps a long-running platform from filling its disks, as a swarm stack: `prune`, a
 * global service pruning each node's engine on a schedule, and `registry-gc`, crond on the
 * manager collecting the registry's unreferenced blobs while it is read-only. Both need the
 * engine's socket with write access (they delete), unlike Traefik, which reads it through a
 * proxy; they run nothing but the rendered scripts (lib/docker/maintenance).
 */
export class MaintenanceStack extends pulumi.ComponentResource {
    public readonly stackName: string;

    constructor(name: string, args: MaintenanceStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:host:MaintenanceStack", name, {}, opts);
        const ctx: SwarmContext = { endpoint: args.endpoint, stack: args.stack, ...(args.sshAccess ? { sshAccess: args.sshAccess } : {}) };
        this.stackName = `${args.stack}-maintenance`;
        const labels = { "slipway.stack": args.stack };

        const services: Array<pulumi.Output<[string, ComposeService]>> = [];
        const configs: pulumi.Output<string>[] = [];
        if (args.pruneOlderThanHours > 0) {
            const script = swarmObject(`${name}-prune-script`, "config", `${this.stackName}-prune`, renderPruneScript(), ctx, this);
            configs.push(script);
            services.push(
                pulumi.all([script, args.image]).apply(([s, image]): [string, ComposeService] => [
                    "prune",
                    {
                        image,
                        init: true,
                        mode: "global",
                        command: [`exec sh ${SCRIPTS}/prune.sh`],
                        environment: { PRUNE_HOURS: String(args.pruneOlderThanHours) },
                        configs: [{ source: s, target: `${SCRIPTS}/prune.sh` }],
                        mounts: [SOCKET],
                        labels,
                    },
                ]),
            );
        }
        if (args.gcSchedule) {
            const script = swarmObject(`${name}-gc-script`, "config", `${this.stackName}-gc`, renderGcScript(args.registryService), ctx, this);
            const crontab = swarmObject(
                `${name}-gc-crontab`,
                "config",
                `${this.stackName}-crontab`,
                renderGcCrontab(args.gcSchedule, `${SCRIPTS}/registry-gc.sh`),
                ctx,
                this,
            );
            const runner = swarmObject(`${name}-gc-runner`, "config", `${this.stackName}-gc-runner`, renderGcRunner(), ctx, this);
            configs.push(script, crontab, runner);
            services.push(
                pulumi.all([script, crontab, runner, args.image]).apply(([s, c, r, image]): [string, ComposeService] => [
                    "registry-gc",
                    {
                        image,
                        init: true,
                        // Stopped during a collection, it lets the collection finish (the registry writable again).
                        stopGracePeriod: "120s",
                        command: [`exec sh ${SCRIPTS}/registry-gc-runner.sh`],
                        configs: [
                            { source: s, target: `${SCRIPTS}/registry-gc.sh` },
                            { source: r, target: `${SCRIPTS}/registry-gc-runner.sh` },
                            { source: c, target: "/etc/crontabs/root" },
                        ],
                        mounts: [SOCKET],
                        labels,
                        // It updates the registry's service (a manager's API) and runs in its task (on a manager).
                        constraints: ["node.role == manager"],
                    },
                ]),
            );
        }
        const compose = pulumi
            .all([pulumi.all(services), pulumi.all(configs)])
            .apply(([entries, names]) => renderCompose({ services: Object.fromEntries(entries), configs: names, labels }));
        swarmStack(`${name}-stack`, this.stackName, compose, ctx, this);
        this.registerOutputs({});
    }
}
