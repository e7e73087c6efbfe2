// RegistryCredentials: the platform registry's user, a random password and its htpasswd
// entry, generated once and kept in state as secret outputs. (@pulumi/random cannot be used
// here: no provider version of it is buildable from the Go module proxy.) Inputs hold nothing
// secret: the username, a version, and a rotation counter an operator bumps to rotate.
import * as pulumi from "@pulumi/pulumi";
import { HTPASSWD_BCRYPT_COST } from "../lib/registry/credentials";
import { providerLib } from "./kit/libs";
import { diffInputs } from "./kit/diff";

/** Bumped when generation changes, so the change shows in `pulumi preview`. */
export const REGISTRY_CREDENTIALS_PROVIDER_VERSION = "1";

export interface RegistryCredentialsArgs {
    /** @default "slipway" */
    username?: pulumi.Input<string>;
    /** Bump to issue a new password (config registry.passwordRotation). @default 0 */
    rotation?: pulumi.Input<number>;
}

interface Inputs {
    username: string;
    version: string;
    /** Absent in state written before rotation existed: read as 0. */
    rotation?: number;
    /** bcrypt cost of the htpasswd entry. Absent in state written before it was an input: read as 10. */
    hashCost?: number;
}

/** What state written before `hashCost` was an input was hashed with. */
const EARLIER_HASH_COST = 10;

interface Outputs extends Inputs {
    password: string;
    htpasswd: string;
    httpSecret: string;
}

const credentialsLib = () => providerLib("registry/credentials");

export const registryCredentialsProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures = /^[a-z][a-z0-9_-]{0,31}$/.test(news.username ?? "")
            ? []
            : [{ property: "username", reason: "must be lowercase letters, digits, '_' or '-' (at most 32)" }];
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        // A new username, generator or rotation is a new password: rotate by replacing. A new cost
        // hashes the same password again: an update, no new password for anyone.
        return Promise.resolve(
            diffInputs(olds, news, {
                replaces: ["username", "version", "rotation"],
                updates: ["hashCost"],
                defaults: { rotation: 0, hashCost: EARLIER_HASH_COST },
            }),
        );
    },

    async create(inputs) {
        const issued = await credentialsLib().issueRegistryCredentials(inputs.username, inputs.hashCost);
        return {
            id: `registry-user-${inputs.username}`,
            outs: { ...inputs, password: issued.password, htpasswd: issued.htpasswd, httpSecret: issued.httpSecret },
        };
    },

    async update(_id, olds, news) {
        // Only the cost reaches here (everything else replaces): same password, new hash.
        return {
            outs: {
                ...news,
                password: olds.password,
                httpSecret: olds.httpSecret,
                htpasswd: await credentialsLib().htpasswdLine(news.username, olds.password, news.hashCost),
            },
        };
    },
};

export class RegistryCredentials extends pulumi.dynamic.Resource {
    declare readonly username: pulumi.Output<string>;
    /** The password (secret). */
    declare readonly password: pulumi.Output<string>;
    /** `<username>:<bcrypt>` (secret: a hash still invites offline guessing). */
    declare readonly htpasswd: pulumi.Output<string>;
    /** distribution's http.secret (secret). */
    declare readonly httpSecret: pulumi.Output<string>;

    constructor(name: string, args: RegistryCredentialsArgs = {}, opts?: pulumi.CustomResourceOptions) {
        super(
            registryCredentialsProvider,
            name,
            {
                username: args.username ?? "slipway",
                version: REGISTRY_CREDENTIALS_PROVIDER_VERSION,
                rotation: args.rotation ?? 0,
                hashCost: HTPASSWD_BCRYPT_COST,
                password: undefined,
                htpasswd: undefined,
                httpSecret: undefined,
            },
            { ...opts, additionalSecretOutputs: ["password", "htpasswd", "httpSecret"] },
            "slipway",
            "RegistryCredentials",
        );
    }
}
