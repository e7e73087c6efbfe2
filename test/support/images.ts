// Small real images and indexes pushed with Slipway's own client, for tests and benchmarks.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256, type RegistryClient } from "../../lib/oci/client";
import { must } from "./exec";
import { OCI_INDEX, OCI_MANIFEST } from "../../lib/oci/mediaTypes";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export interface PushedManifest {
    digest: string;
    bytes: Buffer;
}

export interface ImageOptions {
    /** @default "amd64" */
    architecture?: string;
    /** Image config labels, e.g. org.opencontainers.image.revision. */
    labels?: Record<string, string>;
    /** Manifest annotations, e.g. the grouping and creation keys retention reads. */
    annotations?: Record<string, string>;
}

/**
 * A one-layer linux image whose config label and layer carry `content` (distinct content,
 * distinct digest), under `tag`, or untagged (pushed by digest) when `tag` is undefined.
 */
export async function pushImage(
    client: RegistryClient,
    repo: string,
    tag: string | undefined,
    content: string,
    { architecture = "amd64", labels = {}, annotations }: ImageOptions = {},
): Promise<PushedManifest> {
    const config = json({ architecture, os: "linux", config: { Labels: { content, ...labels } }, rootfs: { type: "layers", diff_ids: [] } });
    const layer = Buffer.from(content);
    const bytes = json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: await client.pushBlob(repo, config), size: config.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: await client.pushBlob(repo, layer), size: layer.length }],
        ...(annotations ? { annotations } : {}),
    });
    return { digest: await client.putManifest(repo, tag ?? sha256(bytes), bytes, OCI_MANIFEST), bytes };
}

export interface IndexOptions {
    /** Tag the children `<tag>-amd64`/`<tag>-arm64` too, as some pipelines do. @default true */
    tagChildren?: boolean;
    /** Index annotations, e.g. the grouping and creation keys retention reads. */
    annotations?: Record<string, string>;
}

/** An amd64 + arm64 index over two fresh images; returns the index and its children. */
export async function pushIndex(
    client: RegistryClient,
    repo: string,
    tag: string,
    labels: Record<string, string> = {},
    { tagChildren = true, annotations }: IndexOptions = {},
): Promise<PushedManifest & { amd64: PushedManifest; arm64: PushedManifest }> {
    const childTag = (arch: string) => (tagChildren ? `${tag}-${arch}` : undefined);
    const amd64 = await pushImage(client, repo, childTag("amd64"), `${tag} amd64`, { architecture: "amd64", labels });
    const arm64 = await pushImage(client, repo, childTag("arm64"), `${tag} arm64`, { architecture: "arm64", labels });
    const bytes = json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [amd64, arm64].map((m, i) => ({
            mediaType: OCI_MANIFEST,
            digest: m.digest,
            size: m.bytes.length,
            platform: { architecture: i === 0 ? "amd64" : "arm64", os: "linux" },
        })),
        ...(annotations ? { annotations } : {}),
    });
    return { digest: await client.putManifest(repo, tag, bytes, OCI_INDEX), bytes, amd64, arm64 };
}

/**
 * Loads a one-layer image into this machine's Docker Engine as `ref`, with the creation time and
 * labels given (what `docker image prune`'s until and label filters read); returns its ID.
 */
export async function loadEngineImage(ref: string, created: string, labels: Record<string, string> = {}): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "slipway-engine-image-"));
    try {
        mkdirSync(join(dir, "root"));
        writeFileSync(join(dir, "root", "content"), ref);
        mkdirSync(join(dir, "archive", "layer"), { recursive: true });
        const layer = join(dir, "archive", "layer", "layer.tar");
        await must("tar", ["--mtime=@0", "--owner=0", "--group=0", "-C", join(dir, "root"), "-cf", layer, "."]);
        const config = json({
            architecture: "amd64",
            os: "linux",
            created,
            config: { Labels: labels },
            rootfs: { type: "layers", diff_ids: [sha256(readFileSync(layer))] },
        });
        writeFileSync(join(dir, "archive", "config.json"), config);
        writeFileSync(join(dir, "archive", "manifest.json"), JSON.stringify([{ Config: "config.json", RepoTags: [ref], Layers: ["layer/layer.tar"] }]));
        await must("sh", ["-c", `tar -C '${join(dir, "archive")}' -cf - . | docker load -q`]);
        return sha256(config);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** What buildx annotates an attestation manifest's descriptor with, in the index it pushes by default. */
export const ATTESTATION_ANNOTATIONS = (image: string) => ({ "vnd.docker.reference.digest": image, "vnd.docker.reference.type": "attestation-manifest" });

/** buildx's attestation manifest for `image`: an unknown/unknown config and one in-toto layer (SLSA provenance). */
export async function pushAttestation(client: RegistryClient, repo: string, image: string): Promise<PushedManifest> {
    const statement = json({
        _type: "https://in-toto.io/Statement/v0.1",
        predicateType: "https://slsa.dev/provenance/v0.2",
        subject: [{ name: "_", digest: { sha256: image.slice(7) } }],
        predicate: { builder: { id: "" } },
    });
    const config = json({ architecture: "unknown", os: "unknown", config: {}, rootfs: { type: "layers", diff_ids: [sha256(statement)] } });
    const bytes = json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: await client.pushBlob(repo, config), size: config.length },
        layers: [
            {
                mediaType: "application/vnd.in-toto+json",
                digest: await client.pushBlob(repo, statement),
                size: statement.length,
                annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2" },
            },
        ],
    });
    return { digest: await client.putManifest(repo, sha256(bytes), bytes, OCI_MANIFEST), bytes };
}

export interface BuildxIndexOptions {
    /** Labels per arch, to make one image differ (e.g. lack the revision). @default the same labels on both */
    labelsOf?: (arch: string) => Record<string, string>;
}

/**
 * The index `docker buildx build --platform linux/amd64,linux/arm64 --push` makes by default:
 * per platform an image, then per image an attestation manifest (platform unknown/unknown,
 * annotated with the image's digest), in buildx's order.
 */
export async function pushBuildxIndex(
    client: RegistryClient,
    repo: string,
    tag: string,
    labels: Record<string, string>,
    { labelsOf = () => labels }: BuildxIndexOptions = {},
) {
    const archs = ["amd64", "arm64"] as const;
    const images = await Promise.all(
        archs.map((arch) => pushImage(client, repo, undefined, `${tag} ${arch} (buildx)`, { architecture: arch, labels: labelsOf(arch) })),
    );
    const attestations = await Promise.all(images.map((image) => pushAttestation(client, repo, image.digest)));
    const bytes = json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
            ...images.map((m, i) => ({ mediaType: OCI_MANIFEST, digest: m.digest, size: m.bytes.length, platform: { architecture: archs[i], os: "linux" } })),
            ...attestations.map((a, i) => ({
                mediaType: OCI_MANIFEST,
                digest: a.digest,
                size: a.bytes.length,
                annotations: ATTESTATION_ANNOTATIONS(images[i]!.digest),
                platform: { architecture: "unknown", os: "unknown" },
            })),
        ],
    });
    return { digest: await client.putManifest(repo, tag, bytes, OCI_INDEX), bytes, images, attestations };
}

/** An index listing `children` (manifests or indexes already pushed), under `tag` or by digest. */
export async function pushIndexOf(
    client: RegistryClient,
    repo: string,
    tag: string | undefined,
    children: Array<PushedManifest & { mediaType?: string; platform?: { architecture: string; os: string } }>,
): Promise<PushedManifest> {
    const bytes = json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: children.map((c) => ({
            mediaType: c.mediaType ?? OCI_MANIFEST,
            digest: c.digest,
            size: c.bytes.length,
            ...(c.platform ? { platform: c.platform } : {}),
        })),
    });
    return { digest: await client.putManifest(repo, tag ?? sha256(bytes), bytes, OCI_INDEX), bytes };
}
