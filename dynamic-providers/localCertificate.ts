// LocalCertificate: a throwaway CA and a wildcard certificate for a local stack, issued once
// and kept in state, the key as a secret output. Its inputs hold nothing secret (a domain and
// a validity), and its output never passes through a command's streamed log.
import * as pulumi from "@pulumi/pulumi";
import { providerLib } from "./kit/libs";
import { diffInputs } from "./kit/diff";

/** Bumped when issuing changes, so the change shows in `pulumi preview`. */
export const LOCAL_CERTIFICATE_PROVIDER_VERSION = "1";

export interface LocalCertificateArgs {
    /** The certificate covers <domain> and *.<domain>. */
    domain: pulumi.Input<string>;
    /** Validity in days. @default 825 */
    days?: pulumi.Input<number>;
}

interface Inputs {
    domain: string;
    days: number;
    version: string;
}

interface Outputs extends Inputs {
    ca: string;
    certificate: string;
    key: string;
}

const certificateLib = () => providerLib("tls/localCertificate");

export const localCertificateProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(news.domain ?? ""))
            failures.push({ property: "domain", reason: "must be a lowercase DNS name" });
        if (!(news.days >= 1 && news.days <= 825)) failures.push({ property: "days", reason: "must be between 1 and 825" });
        return Promise.resolve({ inputs: news, failures });
    },

    async diff(_id, olds, news) {
        // Any change issues a new CA and certificate; the old ones are simply forgotten.
        return Promise.resolve(diffInputs(olds, news, { replaces: ["domain", "days", "version"] }));
    },

    async create(inputs) {
        const issued = await certificateLib().issueLocalCertificate({ domain: inputs.domain, days: inputs.days });
        return { id: `local-ca-${inputs.domain}`, outs: { ...inputs, ...issued } };
    },
};

export class LocalCertificate extends pulumi.dynamic.Resource {
    /** PEM of the CA: clients trust it to reach the platform. */
    declare readonly ca: pulumi.Output<string>;
    declare readonly certificate: pulumi.Output<string>;
    /** PEM private key of the certificate (secret). */
    declare readonly key: pulumi.Output<string>;

    constructor(name: string, args: LocalCertificateArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            localCertificateProvider,
            name,
            { domain: args.domain, days: args.days ?? 825, version: LOCAL_CERTIFICATE_PROVIDER_VERSION, ca: undefined, certificate: undefined, key: undefined },
            { ...opts, additionalSecretOutputs: ["key"] },
            "slipway",
            "LocalCertificate",
        );
    }
}
