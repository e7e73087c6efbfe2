// Captures real cosign signatures once, as seeds for the fuzz targets: an image pushed to a
// loopback olareg (the OCI 1.1 referrers API) and to distribution (the sha256-<hex> fallback
// tag), signed by the pinned cosign CLI with a fresh key pair in the bundle format and in the
// legacy simple-signing `.sig` layout. The private key is thrown away; only what a verifier
// reads is kept. Refresh: npm run bench:fuzz -- --capture
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryClient } from "../../lib/oci/client";
import { OCI_INDEX } from "../../lib/oci/mediaTypes";
import { digestTag } from "../../lib/oci/reference";
import { BUNDLE_TYPE } from "../../lib/cosign/verifyImage";
import { REVISION_LABEL } from "../../lib/promotion/promote";
import { cosignKeys, cosignSign } from "../support/cosign";
import { must } from "../support/exec";
import { pushImage } from "../support/images";
import { startRegistry } from "../support/registries";

export const CAPTURED_REVISION = "5b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c";
const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

export async function captureCosign(outDir: string): Promise<void> {
    mkdirSync(outDir, { recursive: true });
    const write = (file: string, bytes: Buffer | string) => writeFileSync(join(outDir, file), bytes);
    const keys = await cosignKeys();
    write("cosign.pub", keys.publicKeyPem);
    for (const kind of ["olareg", "distribution"] as const) {
        const registry = await startRegistry(kind);
        const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        try {
            const image = await pushImage(client, "fuzz/app", "v1", "slipway fuzz seed", { labels: { [REVISION_LABEL]: CAPTURED_REVISION } });
            const ref = `${registry.host}/fuzz/app@${image.digest}`;
            await cosignSign(keys, ref);
            await cosignSign(keys, ref, { legacy: true });
            const { source, descriptors, fallbackIndex } = await client.referrers("fuzz/app", image.digest, BUNDLE_TYPE);
            const bundleManifest = await client.getManifest("fuzz/app", descriptors[0]!.digest);
            const layer = bundleManifest.manifest.layers!.find((l) => l.mediaType === BUNDLE_TYPE)!;
            if (kind === "olareg") {
                if (source !== "referrers-api") throw new Error(`olareg answered the referrers lookup from ${source}`);
                const subject = await client.getManifest("fuzz/app", image.digest);
                write("subject.json", subject.bytes);
                write("config.json", await client.getBlob("fuzz/app", subject.manifest.config!.digest));
                write("bundle.sigstore.json", await client.getBlob("fuzz/app", layer.digest));
                write("bundle-manifest.json", bundleManifest.bytes);
                const list = await fetch(`http://${registry.host}/v2/fuzz/app/referrers/${image.digest}`, { headers: { accept: OCI_INDEX } });
                write("referrers-list.json", Buffer.from(await list.arrayBuffer()));
                const sig = await client.getManifest("fuzz/app", digestTag(image.digest, ".sig"));
                write("sig-manifest.json", sig.bytes);
                const simple = sig.manifest.layers!.find((l) => l.mediaType === SIMPLE_SIGNING)!;
                write("simple-signing.json", await client.getBlob("fuzz/app", simple.digest));
                write("simple-signing.sig", simple.annotations![SIGNATURE_ANNOTATION]!);
                const tags = await fetch(`http://${registry.host}/v2/fuzz/app/tags/list`);
                write("tag-list.json", Buffer.from(await tags.arrayBuffer()));
            } else {
                if (source !== "fallback-tag" || !fallbackIndex) throw new Error(`distribution answered the referrers lookup from ${source}`);
                write("fallback-index.json", (await client.getManifest("fuzz/app", fallbackIndex)).bytes);
            }
        } finally {
            client.close();
            await registry.stop();
        }
    }
    const version = (await must("cosign", ["version", "--json"]).catch(() => "{}")).trim();
    write(
        "PROVENANCE.md",
        `# Real cosign signatures, the fuzz targets' seeds\n\nCaptured by \`npm run bench:fuzz -- --capture\` (test/fuzz/cosignCapture.ts) on ${new Date().toISOString().slice(0, 10)} with\n\`cosign ${(JSON.parse(version) as { gitVersion?: string }).gitVersion ?? "(unknown version)"}\`: a one-layer image (label ${REVISION_LABEL}=${CAPTURED_REVISION})\npushed to loopback olareg and distribution, signed with a fresh key pair (private key discarded)\nin the bundle format (\`bundle.sigstore.json\`, no transparency log) and the legacy \`.sig\` layout\n(\`simple-signing.json\` + \`simple-signing.sig\`). \`subject.json\` is the signed manifest, \`config.json\`\nits config; \`referrers-list.json\` is olareg's referrers answer, \`fallback-index.json\` distribution's\nsha256-<hex> fallback index, \`tag-list.json\` olareg's tag list.\n`,
    );
}
