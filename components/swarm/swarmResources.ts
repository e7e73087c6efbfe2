// The two swarm building blocks every stack component uses, over the Docker CLI through
// @pulumi/command: content-named secrets/configs, and a `docker stack deploy` of a rendered
// compose document. (No @pulumi/docker here: its provider is not buildable on these machines.)
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { contentName, renderStackScripts, renderSwarmObjectScripts, renderVolumeScripts, type DataOnDestroy } from "../../lib/docker/swarmScripts";
import { SwarmStackProbe } from "../../dynamic-providers/swarmStackProbe";
import { projectDir } from "../kit/projectDir";
import { workerArgv } from "../kit/workers";

export interface SwarmContext {
    /** Docker Engine endpoint of the manager. */
    endpoint: pulumi.Input<string>;
    /** Written as the `slipway.stack` label on everything, so leftovers can be found. */
    stack: string;
    /** The site's SSH access folder an ssh:// manager is reached through (SwarmHost.sshAccess); unset: the operator's own ssh. */
    sshAccess?: pulumi.Input<string>;
}

/**
 * How a command reaches the manager: DOCKER_HOST, and, for a site with an SSH access folder, its
 * shell run through withSsh.js so `docker` uses the stack's key and host keys. A local engine's
 * commands read exactly as before.
 */
export function engineShell(
    ctx: SwarmContext,
    shell = "/bin/sh",
): { environment: Record<string, pulumi.Input<string>>; interpreter: pulumi.Input<pulumi.Input<string>[]>; dir?: string } {
    const environment = { DOCKER_HOST: ctx.endpoint };
    if (ctx.sshAccess === undefined) return { environment, interpreter: [shell, "-c"] };
    return {
        environment,
        interpreter: pulumi.output(ctx.sshAccess).apply((dir) => workerArgv("withSsh", dir, shell, "-c")),
        dir: projectDir(),
    };
}

/**
 * A swarm secret or config named by its content's hash. New content is a new object: the old
 * one is removed only after everything using it has been updated (Pulumi replaces
 * create-before-delete), so a rotation never leaves a service pointing at nothing.
 * Returns the object's name, known once the object exists.
 */
export function swarmObject(
    name: string,
    kind: "secret" | "config",
    prefix: string,
    content: pulumi.Input<string>,
    ctx: SwarmContext,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    // 48 bits of a hash of the content say nothing usable about it, so the name (and the
    // compose document that mentions it) stay readable in previews even for a secret.
    const objectName = pulumi.unsecret(pulumi.output(content).apply((c) => contentName(prefix, c)));
    const scripts = objectName.apply((n) => renderSwarmObjectScripts(kind, n, { "slipway.stack": ctx.stack }));
    const created = new command.local.Command(
        name,
        {
            create: scripts.create,
            delete: scripts.delete,
            // A secret's content stays a secret: it reaches docker on stdin, encrypted in state.
            stdin: kind === "secret" ? pulumi.secret(content) : content,
            ...engineShell(ctx),
            triggers: [objectName],
        },
        { parent },
    );
    return pulumi.all([objectName, created.stdout]).apply(([n]) => n);
}

/**
 * A data volume of the site (registry blobs, the CI database), made apart from its stack so that
 * removing or replacing the stack never removes it; destroy removes it only when the site says
 * `delete`. Never replaced: a changed policy updates the command, the volume stays.
 */
export function swarmVolume(
    name: string,
    volumeName: string,
    role: string,
    onDestroy: DataOnDestroy,
    ctx: SwarmContext,
    parent: pulumi.Resource,
): command.local.Command {
    const scripts = renderVolumeScripts(volumeName, { "slipway.stack": ctx.stack, "slipway.data": role }, onDestroy);
    return new command.local.Command(name, { create: scripts.create, update: scripts.create, delete: scripts.delete, ...engineShell(ctx) }, { parent });
}

/**
 * `docker stack deploy` of `compose`; converges before it returns, removes the stack on destroy.
 * With `dockerConfig` (a logged-in docker config folder) the nodes get its registry credentials
 * to pull images from a private registry.
 */
export function swarmStack(
    name: string,
    stackName: string,
    compose: pulumi.Input<string>,
    ctx: SwarmContext,
    parent: pulumi.Resource,
    dependsOn: pulumi.Input<pulumi.Resource>[] = [],
    dockerConfig?: pulumi.Input<string>,
): command.local.Command {
    const scripts = renderStackScripts(stackName, { withRegistryAuth: dockerConfig !== undefined });
    // A stack removed by hand is found by the probe, whose new generation makes this deploy run again.
    const services = pulumi
        .unsecret(pulumi.output(compose))
        .apply((doc) => Object.keys((JSON.parse(doc) as { services: Record<string, unknown> }).services).sort());
    const probe = new SwarmStackProbe(
        `${name}-probe`,
        { endpoint: ctx.endpoint, stack: stackName, services, ...(ctx.sshAccess !== undefined ? { sshAccess: ctx.sshAccess } : {}) },
        { parent },
    );
    const shell = engineShell(ctx, "/bin/bash");
    return new command.local.Command(
        name,
        {
            create: scripts.create,
            update: scripts.create,
            delete: scripts.delete,
            stdin: compose,
            ...shell,
            environment: {
                ...shell.environment,
                SLIPWAY_STACK_GENERATION: probe.generation.apply((g) => String(g)),
                ...(dockerConfig !== undefined ? { DOCKER_CONFIG: dockerConfig } : {}),
            },
        },
        { parent, dependsOn },
    );
}
