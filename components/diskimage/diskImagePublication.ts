import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { CosignVerification } from "../../dynamic-providers/cosignVerification";
import { RetentionPolicy } from "../../dynamic-providers/retentionPolicy";
import { reportRetention } from "../registry/retentionReport";
import { A, type Publication, type PublishRequest } from "../../lib/diskimage/publish";
import type { Family } from "../../lib/diskimage/targets";
import { worker } from "../kit/workers";
import type { DiskImageBuildResult } from "../../lib/diskimage/manifest";
import { projectDir } from "../kit/projectDir";

/** Where and how publications go: the registry, its trust, and the secrets that reach only command environments. */
export interface PublishTarget {
    /** host[:port] of the registry. */
    registry: pulumi.Input<string>;
    /** Repositories are `<prefix>/<platform>/<family>`. @default "disk-images" */
    repositoryPrefix?: string;
    /** Plain HTTP (loopback registries in tests). @default false */
    insecure?: boolean;
    /** PEM of a private CA behind the registry's certificate (public). */
    caCertificate?: pulumi.Input<string>;
    username: pulumi.Input<string>;
    /** Secret: reaches only the login command's environment, which writes the credentials folder. */
    password: pulumi.Input<string>;
    /** cosign's encrypted private key and its password (secrets), and the public key verification trusts. */
    signing: { privateKey: pulumi.Input<string>; password: pulumi.Input<string>; publicKey: pulumi.Input<string> };
    /** Publications kept per (platform, family): one publication is one index holding every arch. @default 3 */
    keep?: number;
    /** Most manifests one retention run deletes; the rest wait for the next run. @default 100 */
    maxDeletes?: number;
    /** Plan retention and report what it would delete; delete nothing. @default false */
    dryRun?: boolean;
    /** Index digests retention never deletes (deployed elsewhere, or exported to other stacks). */
    protect?: pulumi.Input<string[]>;
}

export interface DiskImagePublicationArgs extends PublishTarget {
    platform: string;
    family: Family;
    /** The family's builds, one per arch. */
    builds: pulumi.Input<DiskImageBuildResult[]>;
    /** A docker config folder (in Slipway's cache) with the registry's credentials, for the dynamic providers. */
    credentialsDir: pulumi.Input<string>;
    /** Pin `current` to this earlier publication's index digest (rollback, no rebuild). */
    current?: string;
}

/** One arch of a publication, as stack outputs show it. */
export interface PublishedArtifact {
    /** registry/repository@sha256:… of the arch's artifact. */
    ref: string;
    indexRef: string;
    gitSha: string;
    builtAt: string;
    signer: string;
    size: number;
    sha256: string;
}

/**
 * A family's publication: pushed as one index (per-arch artifacts + their build manifests),
 * signed with cosign, proven by a CosignVerification of the index and every child, then the
 * repository pruned to the newest `keep` (never the pinned `current`). Only what the
 * verification proved reaches the outputs.
 */
export class DiskImagePublication extends pulumi.ComponentResource {
    /** The newest publication, proven: per arch, its artifact. */
    public readonly latest: pulumi.Output<Record<string, PublishedArtifact>>;
    /** The `current` publication: the pinned one (rollback) when set, else the newest. */
    public readonly current: pulumi.Output<{ indexRef: string; pinned: boolean; signer: string }>;
    public readonly repository: pulumi.Output<string>;

    constructor(name: string, args: DiskImagePublicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:diskimage:DiskImagePublication", name, {}, opts);
        this.repository = pulumi.interpolate`${args.registry}/${args.repositoryPrefix ?? "disk-images"}/${args.platform}/${args.family}`;
        const repositoryPath = `${args.repositoryPrefix ?? "disk-images"}/${args.platform}/${args.family}`;
        // The registry's credentials and CA reach everything through the credentials folder login
        // wrote: rotating either rewrites it and re-publishes nothing.
        const connection = { insecure: args.insecure ?? false, credentialsDir: args.credentialsDir };

        const published = pushPublication(name, args, repositoryPath, this);
        const signed = signPublication(name, args, pulumi.interpolate`${this.repository}@${published.digest}`, this);
        const policy = pulumi.output(args.signing.publicKey).apply((publicKey) => ({ publicKey }));
        const verification = new CosignVerification(
            `${name}-verify`,
            { reference: pulumi.interpolate`${this.repository}@${published.digest}`, policy, ...connection },
            { parent: this, dependsOn: [signed] },
        );
        // A rollback pin is proven too: an unsigned or deleted publication cannot become current.
        const pinned = args.current
            ? new CosignVerification(
                  `${name}-current`,
                  { reference: pulumi.interpolate`${this.repository}@${args.current}`, policy, ...connection },
                  { parent: this },
              )
            : undefined;
        const retention = new RetentionPolicy(
            `${name}-retention`,
            {
                repository: this.repository,
                groupBy: [A.platform, A.family],
                keep: args.keep ?? 3,
                maxDeletes: args.maxDeletes ?? 100,
                dryRun: args.dryRun ?? false,
                protect: pulumi.output(args.protect ?? []).apply((p) => [...(args.current ? [args.current] : []), ...p]),
                ...connection,
            },
            { parent: this, dependsOn: [verification, ...(pinned ? [pinned] : [])] },
        );
        reportRetention(retention, this.repository);

        // Outputs wait for the proof: they name the verified digest.
        this.latest = pulumi
            .all([this.repository, verification.digest, verification.signer, pulumi.output(args.builds), published])
            .apply(([repository, digest, signer, builds, p]) => latestArtifacts(repository, digest, signer, builds, p));
        const proof = pinned ?? verification;
        this.current = pulumi
            .all([this.repository, proof.digest, proof.signer])
            .apply(([repository, digest, signer]) => ({ indexRef: `${repository}@${digest}`, pinned: !!pinned, signer }));
        this.registerOutputs({ latest: this.latest, current: this.current, repository: this.repository });
    }
}

/** Pushes the family's builds as a new publication: exactly when a build changed (its trigger). */
function pushPublication(name: string, args: DiskImagePublicationArgs, repository: string, parent: pulumi.Resource): pulumi.Output<Publication> {
    const request = pulumi.all([args.registry, args.builds]).apply(([registry, builds]) => {
        const req: Omit<PublishRequest, "publishedAt"> = {
            repository,
            platform: args.platform,
            family: args.family,
            children: builds.map((b) => ({ arch: b.arch, dir: b.dir, manifest: b.manifest })),
        };
        return JSON.stringify({ registry, insecure: args.insecure ?? false, request: req });
    });
    const push = new command.local.Command(
        `${name}-push`,
        {
            create: pulumi.output(args.credentialsDir).apply((dir) => worker("diskImage", "publish", dir)),
            stdin: request,
            dir: projectDir(),
            triggers: [pulumi.output(args.builds).apply((builds) => builds.map((b) => b.buildDigest).join(","))],
        },
        { parent },
    );
    return push.stdout.apply((stdout) => JSON.parse(stdout.trim().split("\n").pop()!) as Publication);
}

/** cosign signs the index and every child (--recursive) with the site key, by digest. */
function signPublication(name: string, args: DiskImagePublicationArgs, ref: pulumi.Output<string>, parent: pulumi.Resource): command.local.Command {
    return new command.local.Command(
        `${name}-sign`,
        {
            create: pulumi
                .all([ref, args.credentialsDir])
                .apply(([r, dir]) => worker("diskImage", "sign", r, dir, ...(args.insecure ? (["--insecure"] as const) : []))),
            dir: projectDir(),
            // A new key re-signs (what verification trusts changed); its secrets live only here.
            environment: { COSIGN_PRIVATE_KEY: pulumi.secret(args.signing.privateKey), COSIGN_PASSWORD: pulumi.secret(args.signing.password) },
            triggers: [ref],
        },
        { parent },
    );
}

/** Per arch, the newest publication's artifact (its child of the proven index). */
function latestArtifacts(
    repository: string,
    digest: string,
    signer: string,
    builds: DiskImageBuildResult[],
    published: Publication,
): Record<string, PublishedArtifact> {
    if (digest !== published.digest) throw new Error(`${repository}: verified ${digest}, but ${published.digest} was published`);
    const out: Record<string, PublishedArtifact> = {};
    for (const b of builds) {
        const child = published.children.find((c) => c.arch === b.arch);
        if (!child) throw new Error(`${repository}@${digest} has no ${b.arch} artifact`);
        const payload = b.manifest.artifacts[0]!;
        out[b.arch] = {
            ref: `${repository}@${child.digest}`,
            indexRef: `${repository}@${digest}`,
            gitSha: b.manifest.gitSha,
            builtAt: b.manifest.builtAt,
            signer,
            size: payload.size,
            sha256: payload.sha256,
        };
    }
    return out;
}
