// CosignKeyPair: a signing key generated once by the real cosign and kept in state, the
// private key and its password as secret outputs (inputs hold nothing secret: only a
// version). Replacing the resource rotates the key; the public key is what verification
// trusts, so a rotation shows in preview wherever it is used.
import * as pulumi from "@pulumi/pulumi";
import type * as KeyPairLib from "../lib/cosign/keyPair";
import { providerLib } from "./kit/libs";
import { diffInputs } from "./kit/diff";

export const COSIGN_KEY_PAIR_PROVIDER_VERSION = "1";

interface Inputs {
    version: string;
}

interface Outputs extends Inputs, KeyPairLib.CosignKeyPair {}

export const cosignKeyPairProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async diff(_id, olds, news) {
        return Promise.resolve(diffInputs(olds, news, { replaces: ["version"] }));
    },

    async create(inputs) {
        const keys = await providerLib("cosign/keyPair").generateCosignKeyPair();
        // The public key's hash names the key: stable, and says nothing secret.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { createHash } = require("node:crypto") as typeof import("node:crypto");
        const id = `cosign-${createHash("sha256").update(keys.publicKey).digest("hex").slice(0, 16)}`;
        return { id, outs: { ...inputs, ...keys } };
    },
};

export class CosignKeyPair extends pulumi.dynamic.Resource {
    /** cosign's encrypted private key (secret). */
    declare readonly privateKey: pulumi.Output<string>;
    /** Its password (secret). */
    declare readonly password: pulumi.Output<string>;
    /** The public key (PEM): what CosignVerification trusts. */
    declare readonly publicKey: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(
            cosignKeyPairProvider,
            name,
            { version: COSIGN_KEY_PAIR_PROVIDER_VERSION, privateKey: undefined, password: undefined, publicKey: undefined },
            { ...opts, additionalSecretOutputs: ["privateKey", "password"] },
            "slipway",
            "CosignKeyPair",
        );
    }
}
