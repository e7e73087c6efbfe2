// npm run ci:repo -- --stack <name> <owner/repository> [--cosign-key <cosign.key>] [--preview <stack>]
// Activates a forge repository in the platform's CI and sets the secrets its pipelines publish
// with (scripts/images/steps/publish.sh): the registry's user and generated password, from the
// stack's outputs, and, with --cosign-key, the site's cosign key and COSIGN_PASSWORD. With
// --preview, its pull requests are previewed (.woodpecker/preview.yaml) against <stack>: the
// preview secrets come from the platform's ciPreview output (ci.previews and its secrets). The CI
// token comes from WOODPECKER_TOKEN (a personal token: the CI's user settings), never an argument.
// Values are never printed; the stack is read with the operator's PULUMI_BACKEND_URL and passphrase.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { previewSecrets, type PreviewSettings } from "../lib/ci/previews";
import { WoodpeckerClient, type RepositorySecret } from "../lib/ci/woodpecker";

const USAGE = "usage: ciRepo.js --stack <name> <owner/repository> [--cosign-key <cosign.key>] [--preview <stack>]";

function parse(argv: string[]) {
    let stack: string | undefined;
    let repository: string | undefined;
    let cosignKey: string | undefined;
    let preview: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--stack") stack = argv[++i];
        else if (argv[i] === "--cosign-key") cosignKey = argv[++i];
        else if (argv[i] === "--preview") preview = argv[++i];
        else if (!repository) repository = argv[i];
        else throw new Error(`unexpected argument ${argv[i]}: ${USAGE}`);
    }
    if (!stack || !repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new Error(USAGE);
    if (preview === "") throw new Error(USAGE);
    return { stack, repository, cosignKey: cosignKey ? resolve(cosignKey) : undefined, preview };
}

async function main() {
    const { stack, repository, cosignKey, preview } = parse(process.argv.slice(2));
    const token = process.env.WOODPECKER_TOKEN;
    if (!token)
        throw new Error("WOODPECKER_TOKEN is not set: a personal token from the CI's user settings (Woodpecker: your avatar, then Personal Access Token)");
    if (cosignKey && process.env.COSIGN_PASSWORD === undefined) throw new Error("--cosign-key needs the key's password in COSIGN_PASSWORD (empty for none)");
    const project = join(__dirname, "..", "..");
    const outputs = JSON.parse(
        execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack, "--cwd", project], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        }),
    ) as Record<string, unknown>;
    const text = (key: string) => {
        const value = outputs[key];
        if (typeof value !== "string" || !value) throw new Error(`stack ${stack} exports no ${key}: run pulumi up for it first`);
        return value;
    };
    const registry = { username: text("registryUsername"), password: text("registryPassword") };
    const previews = preview ? (outputs.ciPreview as PreviewSettings | undefined) : undefined;
    if (preview && !previews)
        throw new Error(
            `stack ${stack} exports no ciPreview: set ci.previews and the ciPreviewSecretKey, ciPreviewPassphrase and ciPreviewForgeToken secrets (docs/previews.md), then pulumi up`,
        );
    const secrets: RepositorySecret[] = [
        ...(preview && previews
            ? previewSecrets(preview, previews, registry)
            : [
                  { name: "registry_username", value: registry.username },
                  { name: "registry_password", value: registry.password },
              ]),
        ...(cosignKey
            ? [
                  { name: "cosign_private_key", value: readFileSync(cosignKey, "utf8") },
                  { name: "cosign_password", value: process.env.COSIGN_PASSWORD! },
              ]
            : []),
    ];
    const ca = typeof outputs.proxyCaCertificate === "string" ? outputs.proxyCaCertificate : undefined;
    const ci = new WoodpeckerClient(text("ciUrl"), token, ca);
    try {
        const id = await ci.activate(repository);
        process.stderr.write(`${repository}: active in ${text("ciUrl")} (repository ${id})\n`);
        for (const secret of secrets) process.stderr.write(`  secret ${secret.name}: ${await ci.setSecret(id, secret)}\n`);
        if (!cosignKey) process.stderr.write("  no --cosign-key: pipelines cannot sign (cosign_private_key, cosign_password not set)\n");
    } finally {
        ci.close();
    }
}

main().catch((error: unknown) => {
    process.stderr.write(`ciRepo.js: ${(error as Error).message}\n`);
    process.exit(1);
});
