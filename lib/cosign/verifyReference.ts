// What the CosignVerification provider runs: resolve a reference once, verify that digest,
// with the registry connection read at call time (lib/oci/connect).
import { clientFor, type Connection } from "../oci/connect";

export { resolveReference } from "../oci/connect";
import { parseReference } from "../oci/reference";
import { parseTrustedRoot } from "../sigstore/trustedRoot";
import { verifyImage, type ImagePolicy, type ImageVerification } from "./verifyImage";

/** The policy as a resource input: a key, or a keyless identity and issuer (exact or anchored regexp). */
export type SignaturePolicy = { publicKey: string } | { keyless: { identity?: string; identityRegExp?: string; issuer?: string; issuerRegExp?: string } };

export interface VerifyReferenceArgs extends Connection {
    reference: string;
    policy: SignaturePolicy;
    /** trusted_root.json content; required for keyless. */
    trustedRoot?: string;
}

export function toImagePolicy(policy: SignaturePolicy, trustedRoot: string | undefined): ImagePolicy {
    const root = trustedRoot ? parseTrustedRoot(trustedRoot) : undefined;
    if ("publicKey" in policy) return { publicKey: policy.publicKey, ...(root ? { trustedRoot: root } : {}) };
    const k = policy.keyless;
    const identity = k.identity !== undefined ? { exact: k.identity } : k.identityRegExp !== undefined ? { regexp: k.identityRegExp } : undefined;
    const issuer = k.issuer !== undefined ? { exact: k.issuer } : k.issuerRegExp !== undefined ? { regexp: k.issuerRegExp } : undefined;
    return { ...(identity ? { identity } : {}), ...(issuer ? { issuer } : {}), ...(root ? { trustedRoot: root } : {}) };
}

/** Verifies `digest` of the reference's repository under the policy. */
export async function verifyDigest(args: VerifyReferenceArgs, digest: string): Promise<ImageVerification> {
    const ref = parseReference(args.reference);
    const client = clientFor(ref.registry, connectionOf(args));
    try {
        return await verifyImage(client, ref.repository, digest, toImagePolicy(args.policy, args.trustedRoot));
    } finally {
        client.close();
    }
}

/** The connection fields of a resource's inputs (and only those). */
export function connectionOf(args: Connection): Connection {
    return {
        insecure: args.insecure ?? false,
        ...(args.caCertificate ? { caCertificate: args.caCertificate } : {}),
        ...(args.credentialsDir ? { credentialsDir: args.credentialsDir } : {}),
    };
}
