// The platform registry as CI reaches it (its host through Traefik, the generated login, the
// site's CA), and what CI does there for a commit: a labelled image pushed to staging, signed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { RegistryClient } from "../../lib/oci/client";
import { platformImage } from "../../lib/images/images";
import { cosignSign, type CosignKeys } from "./cosign";
import { docker, must, run } from "./exec";

/** The stack's registry as CI reaches it: host, credentials, CA. */
export async function registryAccess(stack: Stack) {
    const outputs = await stack.outputs();
    return {
        host: outputs.registryHost?.value as string,
        ca: outputs.proxyCaCertificate?.value as string,
        credentials: { username: outputs.registryUsername?.value as string, password: outputs.registryPassword?.value as string },
    };
}

/** The digest `repository:tag` names in the stack's registry now. */
export async function resolveIn(stack: Stack, repository: string, tag: string): Promise<string> {
    const { host, ca, credentials } = await registryAccess(stack);
    const client = new RegistryClient({ registry: host, ca, credentials });
    try {
        return await client.resolve(repository, tag);
    } finally {
        client.close();
    }
}

/**
 * What CI does for a commit: build a runnable image labelled with its revision (from a local
 * base: nothing is pulled), push it to apps/web:staging, sign its digest with `keys`.
 */
export async function pushSignedStaging(stack: Stack, revision: string, keys: CosignKeys): Promise<string> {
    const { host, ca, credentials } = await registryAccess(stack);
    const context = mkdtempSync(join(tmpdir(), "slipway-e2e-web-"));
    const dir = mkdtempSync(join(tmpdir(), "slipway-e2e-push-"));
    const image = `slipway-e2e-web:${stack.name}-${revision.slice(0, 8)}`;
    try {
        const base = platformImage("traefik").ref;
        writeFileSync(join(context, "Dockerfile"), `FROM ${base}\nLABEL org.opencontainers.image.revision=${revision}\n`);
        await docker("build", "--quiet", "-t", image, context);
        writeFileSync(join(dir, "ca.crt"), ca);
        writeFileSync(
            join(dir, "config.json"),
            JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") } } }),
        );
        await must("skopeo", [
            "copy",
            "--dest-cert-dir",
            dir,
            "--authfile",
            join(dir, "config.json"),
            `docker-daemon:${image}`,
            `docker://${host}/apps/web:staging`,
        ]);
        const digest = await resolveIn(stack, "apps/web", "staging");
        await cosignSign(keys, `${host}/apps/web@${digest}`, { dockerConfig: dir });
        return digest;
    } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(context, { recursive: true, force: true });
        await run("docker", ["image", "rm", image]);
    }
}
