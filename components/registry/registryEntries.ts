// The platform registry's entries from config: declared repositories (`registry.repositories`),
// made to exist before anything is pushed, and pinned image mirrors (`registry.mirrors`), each
// upstream image copied in by digest. Both go through one login to the platform registry and
// are exported by repository with their digest.
import * as pulumi from "@pulumi/pulumi";
import { RegistryMirror } from "../../dynamic-providers/registryMirror";
import { RegistryRepository } from "../../dynamic-providers/registryRepository";
import { platformRegistryLogin, type PlatformRegistryAccess } from "./registryLogin";

/** One mirror, as stack outputs show it. */
export interface MirroredImage {
    from: string;
    /** What deploys: `registry/repository@sha256:…` in the platform registry. */
    ref: string;
    digest: string;
}

/** One declared repository, as stack outputs show it. */
export interface DeclaredRepository {
    /** `registry/repository`: where CI pushes and services pull from. */
    repository: string;
    /** The digest of its marker (tag `slipway-repository`). */
    digest: string;
}

export interface RegistryEntriesArgs {
    /** Repository names (`apps/web`) that exist from the first up, each with a marker tag. */
    repositories: readonly string[];
    /** Upstream images pinned by digest (`from`), copied into a repository of the registry (`to`). */
    mirrors: readonly { from: string; to: string }[];
    stack: string;
    /** The platform registry: its host, user, password (secret) and private CA. */
    registry: PlatformRegistryAccess;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class RegistryEntries extends pulumi.ComponentResource {
    /** Declared repositories, by name. */
    public readonly repositories: pulumi.Output<Record<string, DeclaredRepository>>;
    /** Mirrors, by local repository. */
    public readonly mirrored: pulumi.Output<Record<string, MirroredImage>>;

    constructor(name: string, args: RegistryEntriesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:registry:RegistryEntries", name, {}, opts);
        const login = platformRegistryLogin(`${name}-registry-login`, args.registry, `${args.stack}-${name}`, args.dependsOn ?? [], this);
        const connection = { credentialsDir: login.credentialsDir };
        // Resource names from the repository: one entry per repository (config/ checks).
        const resourceName = (kind: string, repository: string) => `${name}-${kind}-${repository.replace(/[^a-z0-9]+/g, "-")}`;

        const repositories = args.repositories.map((r) => {
            const declared = new RegistryRepository(
                resourceName("repository", r),
                { repository: pulumi.interpolate`${args.registry.host}/${r}`, connection },
                { parent: this },
            );
            return pulumi
                .all([declared.repository, declared.digest])
                .apply(([repository, digest]): [string, DeclaredRepository] => [r, { repository, digest }]);
        });
        this.repositories = pulumi.all(repositories).apply((entries) => Object.fromEntries(entries));

        const mirrors = args.mirrors.map((m) => {
            const mirror = new RegistryMirror(
                resourceName("mirror", m.to),
                { from: m.from, to: pulumi.interpolate`${args.registry.host}/${m.to}`, connection },
                { parent: this },
            );
            return pulumi.all([mirror.ref, mirror.digest]).apply(([ref, digest]): [string, MirroredImage] => [m.to, { from: m.from, ref, digest }]);
        });
        this.mirrored = pulumi.all(mirrors).apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ repositories: this.repositories, mirrored: this.mirrored });
    }
}
