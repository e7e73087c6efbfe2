// CosignVerification: proves a cosign signature before anything that uses the digest deploys.
// Fails closed: any doubt is a failed operation with the reason. Program code that uses
// `verification.digest` cannot run before the signature is proven.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { SignaturePolicy } from "../lib/cosign/verifyReference";
import { isUnknown } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when verification behaviour changes, so the change shows in `pulumi preview`. */
export const COSIGN_VERIFICATION_PROVIDER_VERSION = "2";

export interface CosignVerificationArgs {
    /** Image or artifact: `registry/repo:tag` (resolved once to a digest) or `registry/repo@sha256:…`. */
    reference: pulumi.Input<string>;
    /** `{ publicKey: PEM }`, or `{ keyless: { identity | identityRegExp, issuer | issuerRegExp } }` (regexps are anchored). */
    policy: pulumi.Input<SignaturePolicy>;
    /**
     * trusted_root.json content; required for keyless. With a publicKey policy it verifies the log
     * entries and timestamps the bundle carries, and nothing else: the signature must still be the
     * key's (a certificate the root's CA issued is refused). Its digest is recorded, so a rotation shows in preview.
     */
    trustedRoot?: pulumi.Input<string>;
    /** Talk plain HTTP to the registry (loopback only). @default false */
    insecure?: pulumi.Input<boolean>;
    /** PEM of the CA behind the registry's certificate, when the system does not trust it (public). */
    caCertificate?: pulumi.Input<string>;
    /** Docker config folder (relative to Slipway's cache) holding the registry's credentials, as a RegistryLogin writes it. */
    credentialsDir?: pulumi.Input<string>;
}

interface Inputs {
    reference: string;
    policy: SignaturePolicy;
    trustedRoot?: string;
    trustedRootDigest: string;
    insecure: boolean;
    caCertificate?: string;
    credentialsDir?: string;
    version: string;
}

interface Outputs extends Inputs {
    digest: string;
    layout: string;
    signer: string;
    issuer: string;
    children: string[];
    verifiedAt: string;
    /** Set by refresh when the signature no longer verifies: drift. */
    failure?: string;
}

const verifyLib = () => providerLib("cosign/verifyReference");

async function verifyNow(inputs: Inputs, digest?: string): Promise<Outputs> {
    const lib = verifyLib();
    const resolved = digest ?? (await lib.resolveReference(inputs.reference, lib.connectionOf(inputs)));
    const result = await lib.verifyDigest(inputs, resolved);
    return {
        ...inputs,
        digest: result.digest,
        layout: result.layout,
        signer: result.signer,
        issuer: result.issuer ?? "",
        children: result.children,
        verifiedAt: new Date().toISOString(),
    };
}

export const cosignVerificationProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (!isUnknown(news.reference) && !/^[^/\s]+\/[^\s]+([:@][^\s]+)$/.test(news.reference ?? ""))
            failures.push({ property: "reference", reason: "must be registry/repository:tag or registry/repository@sha256:<hex>" });
        if (isUnknown(news.policy)) return Promise.resolve({ inputs: news, failures });
        const p = news.policy as Partial<{ publicKey: string; keyless: Record<string, string | undefined> }>;
        if (isUnknown(p?.publicKey)) return Promise.resolve({ inputs: news, failures });
        if (!p || (!p.publicKey && !p.keyless))
            failures.push({ property: "policy", reason: "must be { publicKey } or { keyless: { identity|identityRegExp, issuer|issuerRegExp } }" });
        if (p?.publicKey && !p.publicKey.includes("BEGIN PUBLIC KEY"))
            failures.push({ property: "policy", reason: "publicKey must be a PEM public key (cosign.pub)" });
        if (p?.keyless) {
            const k = p.keyless;
            if ((k.identity === undefined) === (k.identityRegExp === undefined))
                failures.push({ property: "policy", reason: "keyless needs exactly one of identity or identityRegExp" });
            if ((k.issuer === undefined) === (k.issuerRegExp === undefined))
                failures.push({ property: "policy", reason: "keyless needs exactly one of issuer or issuerRegExp" });
            if (!news.trustedRoot) failures.push({ property: "trustedRoot", reason: "keyless verification needs the trusted_root.json content" });
        }
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        const diff = diffInputs(olds, news, {
            updates: ["reference", "policy", "trustedRootDigest", "insecure", "caCertificate", "credentialsDir", "version"],
        });
        // A proof that refresh found broken must be made again: never carry a failed proof forward.
        if (diff.changes || olds.failure || !olds.signer) return changedAlso(diff, true);
        // Same inputs: re-verify only if the reference now resolves to another digest.
        const digest = await verifyLib().resolveReference(news.reference, verifyLib().connectionOf(news));
        return changedAlso(diff, digest !== olds.digest);
    },

    async create(inputs) {
        const outs = await verifyNow(inputs);
        return { id: outs.digest, outs };
    },

    async update(_id, _olds, news) {
        return { outs: await verifyNow(news) };
    },

    async read(id, props) {
        if (!props) return {};
        try {
            const outs = await verifyNow(props, props.digest);
            // Only a change of what was proven is drift, not the time of the proof.
            return { id, props: { ...outs, verifiedAt: props.verifiedAt } };
        } catch (error) {
            return { id, props: { ...props, signer: "", failure: (error as Error).message } };
        }
    },

    async delete() {
        // Nothing was created: a verification is a proof, not an object.
    },
};

/** Proves `reference` is signed under `policy`; `digest` resolves only after the proof. */
export class CosignVerification extends pulumi.dynamic.Resource {
    declare readonly digest: pulumi.Output<string>;
    declare readonly layout: pulumi.Output<string>;
    declare readonly signer: pulumi.Output<string>;
    declare readonly issuer: pulumi.Output<string>;
    declare readonly children: pulumi.Output<string[]>;
    declare readonly verifiedAt: pulumi.Output<string>;

    constructor(name: string, args: CosignVerificationArgs, opts?: pulumi.CustomResourceOptions) {
        const trustedRootDigest = pulumi.output(args.trustedRoot).apply((root) => (root ? `sha256:${createHash("sha256").update(root).digest("hex")}` : ""));
        const inputs = {
            ...args,
            insecure: args.insecure ?? false,
            trustedRootDigest,
            version: COSIGN_VERIFICATION_PROVIDER_VERSION,
            ...Object.fromEntries(["digest", "layout", "signer", "issuer", "children", "verifiedAt", "failure"].map((k) => [k, undefined])),
        };
        super(cosignVerificationProvider, name, inputs, opts, "slipway", "CosignVerification");
    }
}
