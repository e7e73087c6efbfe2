// Keys that hold secrets are top-level config keys of their own, so the runtime's list of
// secret keys tells exactly which ones were set with --secret (a secret nested inside an
// object would only mark the whole object). Each says when it is required.
import type { z } from "zod";
import type { sectionsSchema } from "./schema";

type Sections = z.output<typeof sectionsSchema>;

export interface SecretKeyDoc {
    description: string;
    /** How an operator feeds the value in: appended to `pulumi config set --secret <key>`. */
    source: string;
    /** Why it is required for this configuration, or undefined when it is not. */
    requiredBecause(sections: Sections): string | undefined;
    /** Whether it acts in this configuration when it is optional there. @default required */
    actsWhen?(sections: Sections): boolean;
}

export const SECRET_KEYS = {
    sshPrivateKey: {
        description: "SSH private key an ssh:// manager is reached with (unset: your own ssh setup) and workers are joined with",
        source: "< ~/.ssh/id_ed25519",
        requiredBecause: (s) => (s.host.workers.length ? "host.workers are joined over SSH" : undefined),
        actsWhen: (s) => s.host.workers.length > 0 || s.host.endpoint.startsWith("ssh://"),
    },
    tlsPrivateKey: {
        description: "Private key of proxy.certificate (PEM)",
        source: "< wildcard.key",
        requiredBecause: (s) => (s.proxy.certificate ? "proxy.certificate is set" : undefined),
    },
    registryS3SecretKey: {
        description: "S3 secret access key for registry.storage",
        source: "'<secret access key>'",
        requiredBecause: (s) => (s.registry.storage.kind === "s3" ? 'registry.storage.kind is "s3"' : undefined),
    },
    ciOAuthClientSecret: {
        description: "OAuth client secret registered at the forge for the CI server",
        source: "'<oauth client secret>'",
        requiredBecause: (s) => (s.ci.forgeUrl ? "ci.forgeUrl is set" : undefined),
    },
    ciPreviewSecretKey: {
        description: "Secret access key of ci.previews.accessKeyId (read-only), handed to preview pipelines",
        source: "'<secret access key>'",
        requiredBecause: (s) => (s.ci.previews ? "ci.previews is set" : undefined),
    },
    ciPreviewPassphrase: {
        description: "PULUMI_CONFIG_PASSPHRASE of the stacks CI previews, handed to preview pipelines",
        source: "'<the previewed stacks' passphrase>'",
        requiredBecause: (s) => (s.ci.previews ? "ci.previews is set" : undefined),
    },
    ciPreviewForgeToken: {
        description: "A forge token preview pipelines comment on pull requests with (Gitea: a user's access token with the repository and issue scopes)",
        source: "'<forge access token>'",
        requiredBecause: (s) => (s.ci.previews ? "ci.previews is set" : undefined),
    },
    ciPreviewCommandToken: {
        description:
            "A CI personal token of a CI admin (the CI's user settings) with which the /preview comment command re-runs a pull request's preview; unset: no comment command. Needs ci.previews and forge.engine gitea",
        source: "'<CI personal token>'",
        requiredBecause: () => undefined,
        actsWhen: (s) => s.ci.previews !== undefined && s.forge.engine === "gitea",
    },
    signingKey: {
        description: "The site's cosign private key (cosign's encrypted PEM) that signs disk-image publications",
        source: "< cosign.key",
        requiredBecause: (s) => (s.signing.publicKey && s.diskImages.length ? "signing.publicKey is set and disk images are published" : undefined),
    },
    signingKeyPassword: {
        description: "Password of signingKey",
        source: "'<cosign key password>'",
        requiredBecause: (s) => (s.signing.publicKey && s.diskImages.length ? "signing.publicKey is set and disk images are published" : undefined),
    },
} satisfies Record<string, SecretKeyDoc>;

/** Whether the secret does something in this configuration (required, or optional and used). */
export function secretActs(name: keyof typeof SECRET_KEYS, sections: Sections): boolean {
    const spec: SecretKeyDoc = SECRET_KEYS[name];
    return spec.actsWhen ? spec.actsWhen(sections) : spec.requiredBecause(sections) !== undefined;
}

export type SecretKeyName = keyof typeof SECRET_KEYS;
export const SECRET_KEY_NAMES = Object.keys(SECRET_KEYS) as SecretKeyName[];
