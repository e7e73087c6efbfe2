import * as pulumi from "@pulumi/pulumi";
import { RandomSecret } from "../../dynamic-providers/randomSecret";
import { COMMANDS_PATH, ciStepEnvironment, renderCiCompose, renderCommandsService } from "../../lib/ci/compose";
import { httpsPortSuffix } from "../../lib/proxy/traefik";
import { swarmObject, swarmStack, swarmVolume, type SwarmContext } from "../swarm/swarmResources";
import { siteCaFile } from "../../lib/docker/siteCa";
import type { DataOnDestroy } from "../../lib/docker/swarmScripts";

export interface CiStackArgs extends SwarmContext {
    /** Base domain: the server is served at ci.<domain>. */
    domain: pulumi.Input<string>;
    /** The overlay network Traefik routes on (SwarmHost's). */
    network: pulumi.Input<string>;
    /** HTTPS port clients reach Traefik on, for the URL outputs. @default 443 */
    httpsPort?: number;
    /** Image IDs (lib/images) of the Woodpecker server and agent, and of the pipelines' clone step (lib/images' ci-clone). */
    images: { server: pulumi.Input<string>; agent: pulumi.Input<string>; clone: pulumi.Input<string> };
    /** The Gitea/Forgejo the server logs users in with. Unset: placeholders, and nobody can log in until it is set. */
    forge?: { url: pulumi.Input<string>; clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> };
    /** Forge users who administer the CI. @default [] */
    admins?: string[];
    /** Every user of the forge may log in (the platform's own forge, whose users its admin makes); else only the admins. @default false */
    openToForgeUsers?: boolean;
    /** PEM of the CA behind the site's certificate, when it is private: the server trusts it to reach a forge behind the site's Traefik. */
    caCertificate?: pulumi.Input<string | undefined>;
    /** Workflows the agent runs at once. @default 2 */
    capacity?: number;
    /** What destroy does with the database's volume: keep it, or remove it. @default "retain" */
    dataOnDestroy?: DataOnDestroy;
    /** Bump to issue new agent and metrics secrets. @default 0 */
    secretRotation?: number;
    /** Agent labels pipelines select it by, e.g. disk-image-builder. @default [] */
    labels?: string[];
    /**
     * Pull-request previews (.woodpecker/preview.yaml): every pipeline gets the preview step's image
     * (SLIPWAY_PREVIEW_IMAGE, which the workflow names), the images the site runs (SLIPWAY_IMAGES,
     * lib/images) and the registry plans are kept in (SLIPWAY_REGISTRY). Unset: no previews.
     */
    previews?: { image: pulumi.Input<string>; imagesRecord: string; registry: pulumi.Input<string> };
    /**
     * The `/preview` comment command (scripts/previewCommands.ts, in the preview image): the forge's
     * issue-comment hook reaches it at https://ci.<domain>/slipway/hook; it asks the forge as its
     * admin and re-runs previews with a CI admin's token. Needs `previews`.
     */
    commands?: { forge: { url: pulumi.Input<string>; username: pulumi.Input<string>; password: pulumi.Input<string> }; ciToken: pulumi.Input<string> };
}

/**
 * Woodpecker CI as a swarm stack: the server behind Traefik at ci.<domain> (sqlite on the
 * stack's volume), the agent beside it on a private network, running pipelines on this
 * engine. The agent secret and the metrics token are generated (RandomSecret) and reach both
 * as swarm secrets (`*_FILE`), never as environment values in the compose document.
 */
export class CiStack extends pulumi.ComponentResource {
    /** https://ci.<domain>[:port] */
    public readonly url: pulumi.Output<string>;
    /** Bearer token for the server's /metrics (secret). */
    public readonly metricsToken: pulumi.Output<string>;
    public readonly stackName: string;
    /** With `commands`: the secret the forge signs its hook with (secret), and where the hook goes. */
    public readonly hookSecret?: pulumi.Output<string>;
    public readonly hookUrl?: pulumi.Output<string>;

    constructor(name: string, args: CiStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:ci:CiStack", name, {}, opts);
        const ctx: SwarmContext = { endpoint: args.endpoint, stack: args.stack, ...(args.sshAccess ? { sshAccess: args.sshAccess } : {}) };
        this.stackName = `${args.stack}-ci`;

        const agentSecret = swarmObject(
            `${name}-agent-secret`,
            "secret",
            `${this.stackName}-agent`,
            new RandomSecret(`${name}-agent-secret-value`, { parent: this }, args.secretRotation ?? 0).value,
            ctx,
            this,
        );
        const metricsValue = new RandomSecret(`${name}-metrics-token-value`, { parent: this }, args.secretRotation ?? 0).value;
        const metricsSecret = swarmObject(`${name}-metrics-token`, "secret", `${this.stackName}-metrics`, metricsValue, ctx, this);
        // Without a forge the server still needs a client secret to start: an unguessable one.
        const forgeSecretValue = args.forge ? args.forge.clientSecret : new RandomSecret(`${name}-forge-placeholder`, { parent: this }).value;
        const forgeSecret = swarmObject(`${name}-forge-secret`, "secret", `${this.stackName}-forge`, forgeSecretValue, ctx, this);

        // The /preview command's hook secret (the forge signs with it; rotates with the others), and what it asks with.
        const commands = args.commands && args.previews ? this.commandSecrets(name, args.commands, args.secretRotation ?? 0, ctx) : undefined;
        this.hookSecret = commands?.hookValue;
        const port = httpsPortSuffix(args.httpsPort);
        this.url = pulumi.interpolate`https://ci.${args.domain}${port}`;
        this.hookUrl = commands ? pulumi.interpolate`${this.url}${COMMANDS_PATH}` : undefined;

        // The database's volume is the site's data, not the stack's (named as a stack deploy named it before).
        const data = swarmVolume(`${name}-data`, `${this.stackName}_data`, "ci", args.dataOnDestroy ?? "retain", ctx, this);

        const siteCa = swarmObject(`${name}-site-ca`, "config", `${this.stackName}-site-ca`, pulumi.output(args.caCertificate).apply(siteCaFile), ctx, this);

        // The /preview command service, beside the server (its own image: the preview step's).
        const commandsService =
            commands && args.commands && args.previews
                ? pulumi
                      .all([args.domain, args.previews.image, pulumi.all(commands.secrets), args.commands.forge.url, args.commands.forge.username, siteCa])
                      .apply(([domain, image, secrets, url, username, ca]) =>
                          renderCommandsService({ stack: args.stack, stackName: this.stackName, domain, image, secrets, forge: { url, username }, siteCa: ca }),
                      )
                : undefined;
        const previews = args.previews;
        const stepEnvironment = pulumi
            .all([args.caCertificate, previews?.image, previews?.registry])
            .apply(([ca, image, registry]) =>
                ciStepEnvironment(ca, previews ? { image: image!, imagesRecord: previews.imagesRecord, registry: registry! } : undefined),
            );
        const compose = pulumi
            .all([
                pulumi.all([args.domain, args.network, siteCa, stepEnvironment]),
                pulumi.all([agentSecret, metricsSecret, forgeSecret]),
                pulumi.all([args.images.server, args.images.agent, args.images.clone]),
                pulumi.all([args.forge?.url, args.forge?.clientId, commandsService]),
            ])
            .apply(([[domain, network, ca, env], [agent, metrics, forge], [server, agentImage, clone], [forgeUrl, clientId, commandsRendered]]) =>
                renderCiCompose({
                    stack: args.stack,
                    stackName: this.stackName,
                    domain,
                    portSuffix: port,
                    network,
                    secrets: { agent, metrics, forge },
                    siteCa: ca,
                    images: { server, agent: agentImage, clone },
                    forge: { url: forgeUrl, clientId },
                    ...(args.admins ? { admins: args.admins } : {}),
                    ...(args.openToForgeUsers ? { openToForgeUsers: true } : {}),
                    ...(args.capacity !== undefined ? { capacity: args.capacity } : {}),
                    ...(args.labels ? { labels: args.labels } : {}),
                    stepEnvironment: env,
                    ...(commandsRendered ? { commands: commandsRendered } : {}),
                }),
            );
        swarmStack(`${name}-stack`, this.stackName, compose, ctx, this, [data]);

        this.metricsToken = metricsValue;
        this.registerOutputs({ url: this.url, metricsToken: this.metricsToken });
    }

    /** The hook secret (generated), the forge admin's password and the CI token, as swarm secrets. */
    private commandSecrets(name: string, commands: NonNullable<CiStackArgs["commands"]>, rotation: number, ctx: SwarmContext) {
        const hookValue = new RandomSecret(`${name}-hook-secret-value`, { parent: this }, rotation).value;
        const secrets: [pulumi.Output<string>, pulumi.Output<string>, pulumi.Output<string>] = [
            swarmObject(`${name}-hook-secret`, "secret", `${this.stackName}-hook`, hookValue, ctx, this),
            swarmObject(`${name}-commands-forge-password`, "secret", `${this.stackName}-commands-forge`, commands.forge.password, ctx, this),
            swarmObject(`${name}-commands-ci-token`, "secret", `${this.stackName}-commands-ci`, commands.ciToken, ctx, this),
        ];
        return { hookValue, secrets };
    }
}
