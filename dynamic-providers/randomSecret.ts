// RandomSecret: 32 random bytes (URL-safe base64) generated once and kept in state as a secret
// output, for shared secrets between services (the CI agent secret, a metrics token).
// (@pulumi/random cannot be used here: no provider version of it is buildable from the Go
// module proxy.) Its inputs are a version and a rotation counter: a new one (or replacing the
// resource) rotates the value.
import * as pulumi from "@pulumi/pulumi";
import { providerLib } from "./kit/libs";
import { diffInputs } from "./kit/diff";

export const RANDOM_SECRET_PROVIDER_VERSION = "1";

interface Inputs {
    version: string;
    /** Absent in state written before rotation existed: read as 0. */
    rotation?: number;
}

interface Outputs extends Inputs {
    value: string;
}

export const randomSecretProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async diff(_id, olds, news) {
        return Promise.resolve(diffInputs(olds, news, { replaces: ["version", "rotation"], defaults: { rotation: 0 } }));
    },

    async create(inputs) {
        const value = providerLib("random").randomPassword();
        return Promise.resolve({ id: `random-${Date.now().toString(36)}`, outs: { ...inputs, value } });
    },
};

export class RandomSecret extends pulumi.dynamic.Resource {
    /** The random value (secret). */
    declare readonly value: pulumi.Output<string>;

    /** `rotation`: bump to rotate the value. */
    constructor(name: string, opts?: pulumi.CustomResourceOptions, rotation: pulumi.Input<number> = 0) {
        super(
            randomSecretProvider,
            name,
            { version: RANDOM_SECRET_PROVIDER_VERSION, rotation, value: undefined },
            { ...opts, additionalSecretOutputs: ["value"] },
            "slipway",
            "RandomSecret",
        );
    }
}
