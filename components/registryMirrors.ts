// The site's pinned image mirrors (config `registry.mirrors`): each upstream image, named by
// digest, copied into the platform registry with the platform's own login, and exported by
// its local repository with the digest to deploy.
import * as pulumi from "@pulumi/pulumi";
import { RegistryMirror } from "../dynamic-providers/registryMirror";
import type { PlatformConfig } from "../config";
import { platformRegistryLogin, type PlatformRegistryAccess } from "./registryLogin";

/** One mirror, as stack outputs show it. */
export interface MirroredImage {
    from: string;
    /** What deploys: `registry/repository@sha256:…` in the platform registry. */
    ref: string;
    digest: string;
}

export interface RegistryMirrorsArgs {
    mirrors: PlatformConfig["registry"]["mirrors"];
    stack: string;
    /** The platform registry: its host, user, password (secret) and private CA. */
    registry: PlatformRegistryAccess;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class RegistryMirrors extends pulumi.ComponentResource {
    /** By local repository. */
    public readonly mirrored: pulumi.Output<Record<string, MirroredImage>>;

    constructor(name: string, args: RegistryMirrorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:registry:RegistryMirrors", name, {}, opts);
        const login = platformRegistryLogin(`${name}-registry-login`, args.registry, `${args.stack}-${name}`, args.dependsOn ?? [], this);
        const each = args.mirrors.map((m) => {
            // Resource names from the repository: one mirror per local repository (config/ checks).
            const mirror = new RegistryMirror(`${name}-${m.to.replace(/[^a-z0-9]+/g, "-")}`, { from: m.from, to: pulumi.interpolate`${args.registry.host}/${m.to}`, connection: { credentialsDir: login.credentialsDir } }, { parent: this });
            return pulumi.all([mirror.ref, mirror.digest]).apply(([ref, digest]): [string, MirroredImage] => [m.to, { from: m.from, ref, digest }]);
        });
        this.mirrored = pulumi.all(each).apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ mirrored: this.mirrored });
    }
}
