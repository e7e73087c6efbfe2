import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { DEFAULT_FORGE_ADMIN } from "../config/schema";
import { SwarmHost } from "./swarm/swarmHost";
import { CiStack } from "./ci/ciStack";
import { ForgeStack } from "./ci/forgeStack";
import { forgeSystemHook } from "./ci/forgeHook";
import { ForgeOAuthApp } from "../dynamic-providers/forgeOAuthApp";
import { httpsPortSuffix } from "../lib/proxy/traefik";
import { DiskImagePipeline } from "./diskimage/diskImagePipeline";
import { CosignKeyPair } from "../dynamic-providers/cosignKeyPair";
import type { DebPin } from "../lib/diskimage/debs";
import { hostArch, imagesRecordEnv, type PlatformRole } from "../lib/images/images";
import { imagesOn, type ImagePlan } from "../lib/images/plan";
import { NodeImages } from "../dynamic-providers/nodeImages";
import type { RecipeCommit } from "../lib/diskimage/recipe";
import { ImagePromotions, type PromotedImage } from "./registry/imagePromotions";
import { MaintenanceStack } from "./swarm/maintenanceStack";
import { OciRegistry } from "./registry/ociRegistry";
import { RegistryEntries, type DeclaredRepository, type MirroredImage } from "./registry/registryEntries";
import { TraefikStack } from "./proxy/traefikStack";

/** A cosign key: the private key and its password are secrets; the public key is what verification trusts. */
export interface SigningKey {
    privateKey: pulumi.Output<string>;
    password: pulumi.Output<string>;
    publicKey: pulumi.Output<string>;
}

export interface PlatformArgs {
    /** The validated stack configuration (see config/). */
    config: PlatformConfig;
    /** Where each service's image comes from: a digest-pinned reference, or an image setup assembled, per architecture (lib/images/plan). */
    images: ImagePlan;
    /** What disk images are built from: the recipe's commit and the lock's Debian pins (needed when config declares diskImages). */
    diskImageInputs?: { recipe: RecipeCommit; debs: Record<string, DebPin> };
}

/**
 * The whole platform, built from validated config. Its children are the components of the
 * resource graph in docs/architecture.md: the swarm host, Traefik, the registry and its entries,
 * the forge and CI, disk images and promotions.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly host: SwarmHost;
    public readonly proxy: TraefikStack;
    public readonly registry: OciRegistry;
    public readonly ci: CiStack;
    /** The images pipelines run on the platform's agent, by ID: clone (every pipeline's clone step) and build (slipway-publish). */
    public readonly ciStepImages: { clone: pulumi.Input<string>; build: pulumi.Input<string>; preview?: pulumi.Input<string> };
    /** With ci.previews: what `npm run ci:repo -- … --preview` gives a repository's preview pipelines (secret). */
    public readonly ciPreview?: pulumi.Output<PreviewSecrets>;
    /** The platform's forge and the CI's OAuth application there (forge.engine gitea). */
    public readonly forge?: { stack: ForgeStack; login: { url: pulumi.Output<string>; clientId: pulumi.Output<string>; clientSecret: pulumi.Output<string> } };
    /** Repositories declared in config, by name (empty when none are declared). */
    public readonly repositories: pulumi.Output<Record<string, DeclaredRepository>>;
    /** Pinned upstream images copied into the registry, by local repository (empty when none are declared). */
    public readonly mirrors: pulumi.Output<Record<string, MirroredImage>>;
    /** Scheduled prune and registry garbage collection (when configured). */
    public readonly maintenance?: MaintenanceStack;
    public readonly diskImages: DiskImagePipeline[];
    /** The key disk-image publications are signed with (when any are declared). */
    public readonly signingKey?: SigningKey;
    /** Build-once promotions by name (empty when none are declared). */
    public readonly promotions: pulumi.Output<Record<string, PromotedImage>>;

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
                workers: config.host.workers,
                // Validated: the key comes with the host keys it checks (config/); without a key an
                // ssh:// manager is reached with the operator's own ssh setup.
                ...(config.secrets.sshPrivateKey ? { ssh: { privateKey: config.secrets.sshPrivateKey, knownHosts: config.host.knownHosts! } } : {}),
                ...(config.host.advertiseAddress ? { advertiseAddress: config.host.advertiseAddress } : {}),
            },
            { parent: this },
        );

        // Validated (config/validate): a certificate comes with its key, S3 with its secret, a forge
        // with its OAuth client, and only the engines that can be built here are named.
        const images = this.imagesFor(name, config, args.images);

        const { proxy } = config;
        this.proxy = new TraefikStack(
            `${name}-proxy`,
            {
                endpoint: config.host.endpoint,
                ...this.engineAccess(),
                stack: config.stack,
                domain: proxy.domain,
                network: this.host.networkName,
                httpPort: proxy.httpPort,
                httpsPort: proxy.httpsPort,
                ...(proxy.certificate
                    ? {
                          certificate: {
                              certificate: proxy.certificate,
                              key: config.secrets.tlsPrivateKey!,
                              ...(proxy.caCertificate ? { ca: proxy.caCertificate } : {}),
                          },
                      }
                    : {}),
                images: { traefik: images.traefik, socketProxy: images["socket-proxy"] },
            },
            // Nothing touches the engine before the manager is proven there (a clear refusal, nothing half-made).
            { parent: this, dependsOn: [this.host.manager] },
        );

        const { registry } = config;
        this.registry = new OciRegistry(
            `${name}-registry`,
            {
                endpoint: config.host.endpoint,
                ...this.engineAccess(),
                stack: config.stack,
                domain: proxy.domain,
                network: this.host.networkName,
                httpsPort: proxy.httpsPort,
                storage: registry.storage.kind === "s3" ? { ...registry.storage, secretKey: config.secrets.registryS3SecretKey! } : registry.storage,
                image: images.registry,
                dataOnDestroy: config.host.dataOnDestroy,
                passwordRotation: registry.passwordRotation,
            },
            { parent: this, dependsOn: [this.proxy] },
        );

        if (config.host.pruneOlderThanHours > 0 || registry.gcSchedule) {
            // The program's contract, not a config problem: lib/images/plan plans it whenever either is set.
            if (!images.maintenance)
                throw new pulumi.ResourceError(
                    "slipway:host.pruneOlderThanHours and registry.gcSchedule run the maintenance image, which the image plan lacks",
                    this,
                );
            this.maintenance = new MaintenanceStack(
                `${name}-maintenance`,
                {
                    endpoint: config.host.endpoint,
                    ...this.engineAccess(),
                    stack: config.stack,
                    image: images.maintenance,
                    pruneOlderThanHours: config.host.pruneOlderThanHours,
                    ...(registry.gcSchedule ? { gcSchedule: registry.gcSchedule } : {}),
                    registryService: this.registry.serviceName,
                },
                { parent: this, dependsOn: [this.registry] },
            );
        }

        const { ci } = config;
        this.ciStepImages = { clone: images["ci-clone"], build: images["ci-build"], ...(ci.previews ? { preview: images["ci-preview"] } : {}) };
        this.forge = config.forge.engine === "gitea" ? this.createForge(name, config, images) : undefined;
        this.ci = new CiStack(
            `${name}-ci`,
            {
                endpoint: config.host.endpoint,
                ...this.engineAccess(),
                stack: config.stack,
                domain: proxy.domain,
                network: this.host.networkName,
                httpsPort: proxy.httpsPort,
                images: { server: images["woodpecker-server"], agent: images["woodpecker-agent"], clone: images["ci-clone"] },
                ...(this.forge
                    ? { forge: this.forge.login }
                    : ci.forgeUrl
                      ? { forge: { url: ci.forgeUrl, clientId: ci.oauthClientId!, clientSecret: config.secrets.ciOAuthClientSecret! } }
                      : {}),
                // The platform forge's admin administers its CI too.
                admins: [...new Set([...(this.forge ? [this.forge.stack.adminUser] : []), ...ci.admins])],
                // The platform's forge has no self-registration: whoever its admin made may use the CI.
                openToForgeUsers: this.forge !== undefined,
                caCertificate: this.proxy.caCertificate,
                capacity: ci.runnerCapacity,
                dataOnDestroy: config.host.dataOnDestroy,
                secretRotation: ci.secretRotation,
                labels: ci.runnerLabels,
                ...(ci.previews
                    ? { previews: { image: images["ci-preview"], imagesRecord: imagesRecordEnv(args.images.assembled), registry: this.registry.host } }
                    : {}),
                // Validated: the command token acts with ci.previews and the platform's forge only (config/secrets).
                ...(ci.previews && this.forge && config.secrets.ciPreviewCommandToken
                    ? {
                          commands: {
                              forge: { url: this.forge.stack.url, username: this.forge.stack.adminUser, password: this.forge.stack.adminPassword },
                              ciToken: pulumi.secret(config.secrets.ciPreviewCommandToken),
                          },
                      }
                    : {}),
            },
            { parent: this, dependsOn: [this.proxy] },
        );
        if (this.forge && this.ci.hookSecret && this.ci.hookUrl) {
            forgeSystemHook(`${name}-forge-hook`, { credentialsDir: this.forge.stack.credentialsDir, url: this.ci.hookUrl, secret: this.ci.hookSecret }, this, [
                this.forge.stack,
                this.ci,
            ]);
        }
        this.ciPreview = ci.previews ? previewSecrets(ci.previews, config.secrets) : undefined;

        const entries =
            registry.repositories.length || registry.mirrors.length
                ? new RegistryEntries(
                      `${name}-entries`,
                      {
                          repositories: registry.repositories,
                          mirrors: registry.mirrors,
                          stack: config.stack,
                          registry: {
                              host: this.registry.host,
                              username: this.registry.username,
                              password: this.registry.password,
                              caCertificate: this.proxy.caCertificate,
                          },
                          dependsOn: [this.registry],
                      },
                      { parent: this },
                  )
                : undefined;
        this.repositories = entries?.repositories ?? pulumi.output<Record<string, DeclaredRepository>>({});
        this.mirrors = entries?.mirrored ?? pulumi.output<Record<string, MirroredImage>>({});

        const disk = this.createDiskImages(name, config, args.diskImageInputs);
        this.diskImages = disk.pipelines;
        this.signingKey = disk.signingKey;

        this.promotions = config.promotion.length
            ? new ImagePromotions(
                  `${name}-promotions`,
                  {
                      promotions: config.promotion,
                      stack: config.stack,
                      registry: {
                          host: this.registry.host,
                          username: this.registry.username,
                          password: this.registry.password,
                          caCertificate: this.proxy.caCertificate,
                      },
                      // Validated: a promotion that requires a signature has the site's key (config/).
                      ...(config.signing.publicKey ? { publicKey: config.signing.publicKey } : {}),
                      dependsOn: [this.registry],
                  },
                  { parent: this },
              ).promoted
            : pulumi.output<Record<string, PromotedImage>>({});

        this.registerOutputs({ proxyNetwork: this.host.networkName, proxyPingUrl: this.proxy.pingUrl, registryHost: this.registry.host, ciUrl: this.ci.url });
    }

    /**
     * What each role runs: its pin, else the image setup assembled. This machine's engine has
     * those; a remote manager gets them shipped for its architecture (NodeImages), and the stacks
     * deploy the IDs it reports, so nothing deploys before its image is there.
     */
    private imagesFor(name: string, config: PlatformConfig, plan: ImagePlan): Record<PlatformRole, pulumi.Input<string>> {
        const local = config.host.endpoint.startsWith("unix://");
        if (local || Object.keys(plan.assembled).length === 0)
            return this.shipToWorkers(name, config, plan, pulumi.output(hostArch()), imagesOn(plan, hostArch()) as Record<PlatformRole, string>);
        const shipped = new NodeImages(
            `${name}-images`,
            { endpoint: config.host.endpoint, byArch: plan.assembled, ...this.engineAccess() },
            { parent: this, dependsOn: [this.host.manager] },
        );
        const images = Object.fromEntries(plan.roles.map((role) => [role, plan.pinned[role] ?? shipped.images.apply((i) => i[role]!.id)])) as Record<
            PlatformRole,
            pulumi.Input<string>
        >;
        return this.shipToWorkers(name, config, plan, shipped.architecture, images);
    }

    /**
     * The one image that runs on every node, maintenance's (a global service), shipped to each
     * worker that lacks it; its task there runs the manager's ID, so a worker of another
     * architecture is refused, naming it. Returns `images` with maintenance waiting for them all.
     */
    private shipToWorkers(
        name: string,
        config: PlatformConfig,
        plan: ImagePlan,
        managerArch: pulumi.Input<string>,
        images: Record<PlatformRole, pulumi.Input<string>>,
    ): Record<PlatformRole, pulumi.Input<string>> {
        if (!plan.roles.includes("maintenance") || plan.pinned.maintenance || !config.host.workers.length || !images.maintenance) return images;
        const byArch = Object.fromEntries(Object.entries(plan.assembled).map(([arch, roles]) => [arch, { maintenance: roles.maintenance! }]));
        const shipped = config.host.workers.map(
            (w) =>
                new NodeImages(
                    `${name}-images-${w.name}`,
                    { endpoint: w.endpoint, byArch, ...(this.host.workerAccess ? { sshAccess: this.host.workerAccess } : {}) },
                    { parent: this, dependsOn: [this.host] },
                ),
        );
        const checked = pulumi.all([managerArch, ...shipped.map((s) => s.architecture), images.maintenance]).apply(([manager, ...rest]) => {
            const id = rest.pop() as string;
            rest.forEach((arch, i) => {
                if (arch !== manager)
                    throw new pulumi.ResourceError(
                        `worker ${config.host.workers[i]!.name} is ${arch}, the manager ${manager}: the maintenance service runs one image on every node; pin slipway:images.maintenance to a multi-arch image in a registry both pull from`,
                        this,
                    );
            });
            return id;
        });
        return { ...images, maintenance: checked };
    }

    /**
     * Gitea at git.<domain>, and the OAuth2 application the CI logs in to it with, created through
     * its API as its admin: its client id and secret go to the CI and nowhere else.
     */
    private createForge(name: string, config: PlatformConfig, images: Record<PlatformRole, pulumi.Input<string>>): NonNullable<Platform["forge"]> {
        const stack = new ForgeStack(
            `${name}-forge`,
            {
                endpoint: config.host.endpoint,
                ...this.engineAccess(),
                stack: config.stack,
                domain: config.proxy.domain,
                network: this.host.networkName,
                httpsPort: config.proxy.httpsPort,
                image: images.gitea,
                adminUser: config.forge.adminUser ?? DEFAULT_FORGE_ADMIN,
                passwordRotation: config.forge.passwordRotation ?? 0,
                caCertificate: this.proxy.caCertificate,
                dataOnDestroy: config.host.dataOnDestroy,
            },
            { parent: this, dependsOn: [this.proxy] },
        );
        const ciUrl = pulumi.interpolate`https://ci.${config.proxy.domain}${httpsPortSuffix(config.proxy.httpsPort)}`;
        const app = new ForgeOAuthApp(
            `${name}-ci-oauth-app`,
            {
                credentialsDir: stack.credentialsDir,
                name: `Slipway CI (${config.stack})`,
                redirectUri: pulumi.interpolate`${ciUrl}/authorize`,
                rotation: config.ci.secretRotation,
            },
            { parent: this },
        );
        return { stack, login: { url: stack.url, clientId: app.clientId, clientSecret: app.clientSecret } };
    }

    /** How the stacks reach the manager: through the site's SSH access folder, when it has one. */
    private engineAccess(): { sshAccess?: pulumi.Output<string> } {
        return this.host.sshAccess ? { sshAccess: this.host.sshAccess } : {};
    }

    /**
     * Each node platform's images: built, then published to this platform's registry through
     * Traefik (its CA, its generated credentials), signed with the stack's key, verified, retained.
     */
    private createDiskImages(
        name: string,
        config: PlatformConfig,
        inputs: PlatformArgs["diskImageInputs"],
    ): { pipelines: DiskImagePipeline[]; signingKey?: SigningKey } {
        if (!config.diskImages.length) return { pipelines: [] };
        if (!inputs) throw new pulumi.ResourceError("slipway:diskImages is set but the program passed no disk-image inputs (recipe commit, lock pins)", this);
        // The site's own key when it declares one, else a key this stack generates and keeps (secret).
        const key = config.signing.publicKey
            ? { privateKey: config.secrets.signingKey!, password: config.secrets.signingKeyPassword!, publicKey: pulumi.output(config.signing.publicKey) }
            : new CosignKeyPair(`${name}-signing-key`, { parent: this });
        const pipelines = config.diskImages.map(
            (p) =>
                new DiskImagePipeline(
                    `${name}-disk-${p.name}`,
                    {
                        platform: p.name,
                        architectures: p.architectures,
                        families: p.families,
                        kernel: p.kernel,
                        initramfs: p.initramfs,
                        ...inputs,
                        publish: {
                            stack: config.stack,
                            registry: this.registry.host,
                            caCertificate: this.proxy.caCertificate.apply((ca) => ca ?? ""),
                            username: this.registry.username,
                            password: this.registry.password,
                            signing: { privateKey: key.privateKey, password: key.password, publicKey: key.publicKey },
                            // The platform's own count overrides the stack-wide one.
                            keep: p.retention ?? config.retention.keep,
                            maxDeletes: config.retention.maxDeletes,
                            dryRun: config.retention.dryRun,
                            current: p.current,
                            // What other stacks deploy or export is declared here and never pruned.
                            protect: config.retention.protect,
                            dependsOn: [this.registry],
                        },
                    },
                    { parent: this },
                ),
        );
        return { pipelines, signingKey: key };
    }
}

/** What preview pipelines are given (lib/ci/previews), from config and its secrets. */
export interface PreviewSecrets {
    backendUrl: string;
    accessKeyId: string;
    secretKey: string;
    passphrase: string;
    forgeToken: string;
}

function previewSecrets(previews: NonNullable<PlatformConfig["ci"]["previews"]>, secrets: PlatformConfig["secrets"]): pulumi.Output<PreviewSecrets> {
    // Validated: ci.previews requires all three secrets (config/secrets).
    return pulumi.secret({
        backendUrl: previews.backendUrl,
        accessKeyId: previews.accessKeyId,
        secretKey: secrets.ciPreviewSecretKey!,
        passphrase: secrets.ciPreviewPassphrase!,
        forgeToken: secrets.ciPreviewForgeToken!,
    });
}
