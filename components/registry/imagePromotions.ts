// The site's build-once promotions (config `promotion`): each source is proven signed with the
// site's key (when it requires a signature), then exactly the verified digest moves to the
// target tag. What other stacks deploy is the result, by digest.
import * as pulumi from "@pulumi/pulumi";
import { CosignVerification } from "../../dynamic-providers/cosignVerification";
import { ImagePromotion } from "../../dynamic-providers/imagePromotion";
import { parseReference } from "../../lib/oci/reference";
import { platformRegistryLogin, type PlatformRegistryAccess } from "./registryLogin";

/** One promotion, as stack outputs show it. */
export interface PromotedImage {
    source: string;
    target: string;
    /** What deploys: `registry/repository@sha256:…` of the target. */
    ref: string;
    digest: string;
    revision: string;
    /** The key fingerprint the source's signature verified with; "" when no signature was required. */
    signer: string;
}

/** One build-once promotion: a staging image moved to its production tag, without a rebuild. */
export interface PromotionSpec {
    /** Its name: the resource's, and the key of `promoted`. */
    name: string;
    /** The staging image, pinned by digest or by tag (resolved once, then by digest). */
    source: string;
    /** The production tag it is copied to: `registry/repository:tag`. */
    target: string;
    /** The commit its `org.opencontainers.image.revision` label must name. */
    expectedRevision: string;
    /** The source must carry a signature that verifies with `publicKey`. */
    requireSignature: boolean;
}

export interface ImagePromotionsArgs {
    promotions: readonly PromotionSpec[];
    stack: string;
    /** The platform registry: its host, user, password (secret) and private CA. */
    registry: PlatformRegistryAccess;
    /** The public key signatures must verify with (the site's signing.publicKey). */
    publicKey?: pulumi.Input<string>;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class ImagePromotions extends pulumi.ComponentResource {
    /** By promotion name. */
    public readonly promoted: pulumi.Output<Record<string, PromotedImage>>;

    constructor(name: string, args: ImagePromotionsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("slipway:promotion:ImagePromotions", name, {}, opts);
        const login = platformRegistryLogin(`${name}-registry-login`, args.registry, `${args.stack}-${name}`, args.dependsOn ?? [], this);
        const connection = { credentialsDir: login.credentialsDir };
        const each = args.promotions.map((p) => {
            let verification: CosignVerification | undefined;
            if (p.requireSignature) {
                if (!args.publicKey) throw new pulumi.ResourceError(`promotion ${p.name} requires a signature and no public key was given`, this);
                const policy = pulumi.output(args.publicKey).apply((publicKey) => ({ publicKey }));
                verification = new CosignVerification(`${name}-${p.name}-verify`, { reference: p.source, policy, ...connection }, { parent: this });
            }
            const promotion = new ImagePromotion(
                `${name}-${p.name}`,
                {
                    source: p.source,
                    target: p.target,
                    expectedRevision: p.expectedRevision,
                    connection,
                    ...(verification ? { verifiedDigest: verification.digest } : {}),
                },
                { parent: this },
            );
            const target = parseReference(p.target);
            return pulumi
                .all([promotion.digest, promotion.revision, verification?.signer ?? ""])
                .apply(([digest, revision, signer]): [string, PromotedImage] => [
                    p.name,
                    { source: p.source, target: p.target, ref: `${target.registry}/${target.repository}@${digest}`, digest, revision, signer },
                ]);
        });
        this.promoted = pulumi.all(each).apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ promoted: this.promoted });
    }
}
