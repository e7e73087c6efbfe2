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
export async function pushImage(client: RegistryClient, repo: string, tag: string | undefined, content: string, { architecture = "amd64", labels = {}, annotations }: ImageOptions = {}): Promise<PushedManifest> {
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
export async function pushIndex(client: RegistryClient, repo: string, tag: string, labels: Record<string, string> = {}, { tagChildren = true, annotations }: IndexOptions = {}): Promise<PushedManifest & { amd64: PushedManifest; arm64: PushedManifest }> {
    const childTag = (arch: string) => (tagChildren ? `${tag}-${arch}` : undefined);
    const amd64 = await pushImage(client, repo, childTag("amd64"), `${tag} amd64`, { architecture: "amd64", labels });
    const arm64 = await pushImage(client, repo, childTag("arm64"), `${tag} arm64`, { architecture: "arm64", labels });
    const bytes = json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [amd64, arm64].map((m, i) => ({ mediaType: OCI_MANIFEST, digest: m.digest, size: m.bytes.length, platform: { architecture: i === 0 ? "amd64" : "arm64", os: "linux" } })),
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
        const config = json({ architecture: "amd64", os: "linux", created, config: { Labels: labels }, rootfs: { type: "layers", diff_ids: [sha256(readFileSync(layer))] } });
        writeFileSync(join(dir, "archive", "config.json"), config);
        writeFileSync(join(dir, "archive", "manifest.json"), JSON.stringify([{ Config: "config.json", RepoTags: [ref], Layers: ["layer/layer.tar"] }]));
        await must("sh", ["-c", `tar -C '${join(dir, "archive")}' -cf - . | docker load -q`]);
        return sha256(config);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
