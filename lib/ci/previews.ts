// The secrets a repository's preview pipelines get (scripts/images/steps/preview.sh reads them as
// upper-case environment values): the stack to preview, its backend with read-only credentials,
// its passphrase, the forge token the comment is posted with, and the registry login the plan is
// kept with. Only pull-request pipelines (and runs by hand) get the preview's; the registry login
// is the push pipelines' too.
import { PUSH_EVENTS, type RepositorySecret } from "./woodpecker";

/** What the platform exports as `ciPreview` (components/platform PreviewSecrets). */
export interface PreviewSettings {
    backendUrl: string;
    accessKeyId: string;
    secretKey: string;
    passphrase: string;
    forgeToken: string;
}

export const PREVIEW_EVENTS = ["pull_request", "manual"] as const;

/** A stack name Pulumi accepts (optionally organization/project/stack). */
const STACK = /^[\w.-]+(\/[\w.-]+){0,2}$/;

export function previewSecrets(stack: string, settings: PreviewSettings, registry: { username: string; password: string }): RepositorySecret[] {
    if (!STACK.test(stack)) throw new Error(`--preview ${JSON.stringify(stack)} is not a stack name`);
    const preview = (name: string, value: string): RepositorySecret => ({ name, value, events: PREVIEW_EVENTS });
    const both = [...PUSH_EVENTS, ...PREVIEW_EVENTS.filter((e) => !(PUSH_EVENTS as readonly string[]).includes(e))];
    return [
        preview("slipway_stack", stack),
        preview("pulumi_backend_url", settings.backendUrl),
        preview("aws_access_key_id", settings.accessKeyId),
        preview("aws_secret_access_key", settings.secretKey),
        preview("pulumi_config_passphrase", settings.passphrase),
        preview("slipway_forge_token", settings.forgeToken),
        { name: "registry_username", value: registry.username, events: both },
        { name: "registry_password", value: registry.password, events: both },
    ];
}
