// What a consuming stack deploys onto a Slipway platform: one swarm service, pulled by digest
// from the platform's registry (with its credentials, handed to the nodes by the deploy), on
// the platform's proxy network, routed by its Traefik at https://<name>.<domain>.
import * as pulumi from "@pulumi/pulumi";
import type { PlatformOutputs } from "../../lib/outputs/schema";
import { renderCompose } from "../../lib/docker/compose";
import { renderRouteLabels } from "../../lib/proxy/traefik";
import { parseReference } from "../../lib/oci/reference";
import { registryLogin } from "../registry/registryLogin";
import { swarmStack } from "../swarm/swarmResources";
import { sshAccessFolder, type SshKeyAccess } from "../swarm/sshAccess";

export interface AppServiceArgs {
    /** The platform, as readPlatformOutputs returns it. */
    platform: pulumi.Output<PlatformOutputs>;
    /** The image, pinned by digest (a promotion's `ref`): a tag would be trusted twice. */
    image: pulumi.Input<string>;
    /** The port the service listens on inside its containers. */
    port: number;
    command?: string[];
    /** This stack's name: the swarm stack is `<stack>-<name>`. */
    stack: string;
    /** Docker Engine endpoint of the platform's manager. @default "unix:///var/run/docker.sock" */
    endpoint?: string;
    /** How an ssh:// manager is reached: this stack's key and the host keys (unset: the operator's own ssh setup). */
    ssh?: SshKeyAccess;
    /** @default 1 */
    replicas?: number;
}

export class AppService extends pulumi.ComponentResource {
    /** Where it answers, through the platform's Traefik. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:app:AppService", name, {}, opts);
        if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
            throw new pulumi.ResourceError(`AppService name "${name}" must be lowercase letters, digits and dashes: it is the host name it is routed at`, this);
        const image = pulumi.output(args.image).apply((ref) => {
            if (!parseReference(ref).digest)
                throw new pulumi.ResourceError(
                    `AppService ${name}: image "${ref}" is not pinned by digest: deploy a promotion's ref (registry/repository@sha256:…)`,
                    this,
                );
            return ref;
        });
        // All of the platform's outputs read as secret when one is (the registry password): only that one is.
        const platform = pulumi.unsecret(args.platform);
        const login = registryLogin(
            `${name}-registry-login`,
            {
                registry: platform.registryHost,
                username: platform.registryUsername,
                password: pulumi.secret(args.platform.registryPassword),
                caCertificate: platform.proxyCaCertificate,
                dir: `registry-auth/${args.stack}-${name}`,
            },
            this,
        );
        const stackName = `${args.stack}-${name}`;
        const compose = pulumi.all([platform, image]).apply(([p, ref]) =>
            renderCompose({
                services: {
                    [name]: {
                        image: ref,
                        ...(args.command ? { command: args.command } : {}),
                        networks: ["proxy"],
                        ...(args.replicas ? { replicas: args.replicas } : {}),
                        labels: { "slipway.stack": args.stack, ...p.proxyRouteLabels, ...renderRouteLabels(stackName, `${name}.${p.proxyDomain}`, args.port) },
                    },
                },
                externalNetworks: { proxy: p.proxyNetwork },
                labels: { "slipway.stack": args.stack },
            }),
        );
        const endpoint = args.endpoint ?? "unix:///var/run/docker.sock";
        const sshAccess =
            args.ssh && endpoint.startsWith("ssh://") ? sshAccessFolder(`${name}-ssh-access`, `${args.stack}-${name}`, args.ssh, this) : undefined;
        swarmStack(`${name}-stack`, stackName, compose, { endpoint, stack: args.stack, ...(sshAccess ? { sshAccess } : {}) }, this, [], login.dockerConfig);
        // The platform's HTTPS port is the one its own routes use.
        this.url = platform.apply((p) => `https://${name}.${p.proxyDomain}${portOf(p.proxyPingUrl)}`);
        this.registerOutputs({ url: this.url });
    }
}

const portOf = (url: string) => {
    const port = new URL(url).port;
    return port ? `:${port}` : "";
};
