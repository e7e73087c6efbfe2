// The smallest use of CosignVerification: prove `reference` is signed by `publicKey`, then
// export the proven digest. Anything deployed from `digest` waits for the proof.
import * as pulumi from "@pulumi/pulumi";
import { CosignVerification } from "../../dynamic-providers/cosignVerification";

const config = new pulumi.Config();
const verification = new CosignVerification("artifact", {
    reference: config.require("reference"),
    policy: { publicKey: config.require("publicKey") },
    insecure: config.getBoolean("insecure") ?? false,
});

export const digest = verification.digest;
export const layout = verification.layout;
export const signer = verification.signer;
