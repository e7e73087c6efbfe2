import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { RandomSecret } from "../../dynamic-providers/randomSecret";
import { renderCompose } from "../../lib/docker/compose";
import { GITEA_CONFIG, GITEA_DATA, GITEA_HTTP_PORT, renderGiteaConfig, renderGiteaStart } from "../../lib/forge/giteaConfig";
import { httpsPortSuffix, renderRouteLabels } from "../../lib/proxy/traefik";
import { worker } from "../kit/workers";
import type { DataOnDestroy } from "../../lib/docker/swarmScripts";
import { projectDir } from "../kit/projectDir";
import { swarmObject, swarmStack, swarmVolume, type SwarmContext } from "../swarm/swarmResources";
import { SITE_CA_PATH, siteCaFile } from "../../lib/docker/siteCa";

export interface ForgeStackArgs extends SwarmContext {
    /** Base domain: the forge is served at git.<domain>. */
    domain: pulumi.Input<string>;
    /** The overlay network Traefik routes on (SwarmHost's). */
    network: pulumi.Input<string>;
    /** HTTPS port clients reach Traefik on. @default 443 */
    httpsPort?: number;
    /** Image ID (lib/images) of Gitea. */
    image: pulumi.Input<string>;
    /** The administrator's user name. */
    adminUser: string;
    /** Bump to generate a new admin password. @default 0 */
    passwordRotation?: number;
    /** PEM of the CA behind the site's certificate, when it is private: the forge trusts it for webhooks to the CI. */
    caCertificate: pulumi.Input<string | undefined>;
    /** What destroy does with the forge's volume (repositories and database). @default "retain" */
    dataOnDestroy?: DataOnDestroy;
}

/**
 * Gitea as a swarm stack behind Traefik at git.<domain>: SQLite and repositories on the stack's
 * volume, git over HTTPS, install-locked from its first start, the admin's password a generated
 * secret. Gitea's own secrets are swarm secrets read through its *_URI keys. After the deploy, a
 * login folder for the admin (lib/forge/credentials) lets dynamic providers call its API.
 */
export class ForgeStack extends pulumi.ComponentResource {
    /** https://git.<domain>[:port] */
    public readonly url: pulumi.Output<string>;
    public readonly adminUser: string;
    /** Secret. */
    public readonly adminPassword: pulumi.Output<string>;
    /** The admin's login folder in Slipway's cache (what ForgeOAuthApp takes); known once the forge answers. */
    public readonly credentialsDir: pulumi.Output<string>;
    public readonly stackName: string;

    constructor(name: string, args: ForgeStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:forge:ForgeStack", name, {}, opts);
        const ctx: SwarmContext = { endpoint: args.endpoint, stack: args.stack, ...(args.sshAccess ? { sshAccess: args.sshAccess } : {}) };
        this.stackName = `${args.stack}-forge`;
        this.adminUser = args.adminUser;
        const port = httpsPortSuffix(args.httpsPort);
        this.url = pulumi.interpolate`https://git.${args.domain}${port}`;

        const secret = (key: string, value: pulumi.Input<string>) => swarmObject(`${name}-${key}`, "secret", `${this.stackName}-${key}`, value, ctx, this);
        this.adminPassword = new RandomSecret(`${name}-admin-password-value`, { parent: this }, args.passwordRotation ?? 0).value;
        const adminPassword = secret("admin-password", this.adminPassword);
        const secretKey = secret("secret-key", new RandomSecret(`${name}-secret-key-value`, { parent: this }).value);
        const internalToken = secret("internal-token", new RandomSecret(`${name}-internal-token-value`, { parent: this }).value);
        const jwtSecret = secret("jwt-secret", new RandomSecret(`${name}-jwt-secret-value`, { parent: this }).value);

        const appIni = swarmObject(
            `${name}-config`,
            "config",
            `${this.stackName}-app-ini`,
            pulumi.all([args.domain, secretKey, internalToken, jwtSecret]).apply(([domain, sk, it, jwt]) =>
                renderGiteaConfig({
                    host: `git.${domain}`,
                    rootUrl: `https://git.${domain}${port}/`,
                    webhookHosts: [`ci.${domain}`],
                    secretKeyFile: `/run/secrets/${sk}`,
                    internalTokenFile: `/run/secrets/${it}`,
                    jwtSecretFile: `/run/secrets/${jwt}`,
                }),
            ),
            ctx,
            this,
        );
        const siteCa = swarmObject(`${name}-site-ca`, "config", `${this.stackName}-site-ca`, pulumi.output(args.caCertificate).apply(siteCaFile), ctx, this);

        // Repositories and the database are the site's data, not the stack's.
        const data = swarmVolume(`${name}-data`, `${this.stackName}_data`, "forge", args.dataOnDestroy ?? "retain", ctx, this);

        const compose = pulumi
            .all([args.domain, args.network, args.image, appIni, siteCa, pulumi.all([adminPassword, secretKey, internalToken, jwtSecret])])
            .apply(([domain, network, image, ini, ca, [admin, sk, it, jwt]]) =>
                renderCompose({
                    services: {
                        gitea: {
                            image,
                            entrypoint: renderGiteaStart({
                                adminUser: args.adminUser,
                                adminEmail: `${args.adminUser}@${domain}`,
                                adminPasswordFile: `/run/secrets/${admin}`,
                            }),
                            environment: { GITEA_WORK_DIR: `${GITEA_DATA}/gitea`, GITEA_CUSTOM: `${GITEA_DATA}/gitea/custom`, HOME: `${GITEA_DATA}/git` },
                            networks: ["proxy"],
                            secrets: [admin, sk, it, jwt],
                            configs: [
                                { source: ini, target: GITEA_CONFIG },
                                { source: ca, target: SITE_CA_PATH },
                            ],
                            mounts: [{ type: "volume", source: "data", target: GITEA_DATA }],
                            init: true,
                            labels: { "slipway.stack": args.stack, ...renderRouteLabels(this.stackName, `git.${domain}`, GITEA_HTTP_PORT) },
                            // SQLite and the repositories are on this node's volume.
                            constraints: ["node.role == manager"],
                            stopGracePeriod: "30s",
                            // One Gitea at a time on its SQLite database and repositories.
                            updateOrder: "stop-first",
                        },
                    },
                    externalNetworks: { proxy: network },
                    secrets: [admin, sk, it, jwt],
                    configs: [ini, ca],
                    externalVolumes: { data: `${this.stackName}_data` },
                    labels: { "slipway.stack": args.stack },
                }),
            );
        const stack = swarmStack(`${name}-stack`, this.stackName, compose, ctx, this, [data]);

        // The admin's login for the providers that call the forge: the password reaches only this
        // command's environment (encrypted in state); they get the folder's name.
        const dir = `forge-auth/${args.stack}`;
        const login = new command.local.Command(
            `${name}-login`,
            {
                create: worker("forgeAuth", "login", dir),
                update: worker("forgeAuth", "login", dir),
                delete: worker("forgeAuth", "logout", dir),
                dir: projectDir(),
                environment: {
                    SLIPWAY_FORGE_URL: this.url,
                    SLIPWAY_FORGE_USERNAME: args.adminUser,
                    SLIPWAY_FORGE_PASSWORD: pulumi.secret(this.adminPassword),
                    SLIPWAY_FORGE_CA_PEM: pulumi.output(args.caCertificate).apply((ca) => ca ?? ""),
                },
            },
            { parent: this, dependsOn: [stack] },
        );
        this.credentialsDir = pulumi.unsecret(login.stdout).apply(() => dir);
        this.registerOutputs({ url: this.url, adminUser: this.adminUser, adminPassword: this.adminPassword });
    }
}
