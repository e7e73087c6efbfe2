// A family's publication in the registry: one OCI index, with per arch the artifact (an
// artifact manifest with `artifactType`, or for the `oci` family a plain image) and an
// attestation manifest holding its build-manifest.json (the SBOM: every input by digest),
// linked BuildKit-style (`vnd.docker.reference.*`). Child manifests are rendered from build
// results alone, so equal builds publish equal child digests; the index adds the publication
// time, which orders publications for retention.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, type RegistryClient } from "../oci/client";
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, type Descriptor } from "../oci/mediaTypes";
import type { BuildManifest } from "./manifest";
import { artifactType, FAMILY_FILES, type Arch, type Family } from "./targets";
import { mebibytes } from "./progress";

export const BUILD_MANIFEST_TYPE = "application/vnd.slipway.build-manifest.v1+json";
export const A = {
    platform: "dev.slipway.platform",
    family: "dev.slipway.family",
    arch: "dev.slipway.arch",
    buildDigest: "dev.slipway.build-digest",
    payloadSha256: "dev.slipway.payload.sha256",
    payloadSize: "dev.slipway.payload.size",
    builtAt: "dev.slipway.built-at",
    sbom: "dev.slipway.sbom",
    revision: "org.opencontainers.image.revision",
    created: "org.opencontainers.image.created",
    title: "org.opencontainers.image.title",
} as const;

export interface PublishChild {
    arch: Arch;
    /** The build folder (files and build-manifest.json). */
    dir: string;
    manifest: BuildManifest;
}

export interface PublishRequest {
    repository: string;
    platform: string;
    family: Family;
    /** Publication time (ISO 8601): the index's `org.opencontainers.image.created`. */
    publishedAt: string;
    children: PublishChild[];
}

export interface Publication {
    repository: string;
    tag: string;
    digest: string;
    children: { arch: Arch; digest: string; size: number; payloadSha256: string }[];
}

interface Blob {
    descriptor: Descriptor;
    bytes: () => Buffer;
}

const EMPTY_CONFIG: Blob = { descriptor: { mediaType: OCI_EMPTY, digest: sha256("{}"), size: 2 }, bytes: () => Buffer.from("{}") };

const fileBlob = (dir: string, file: BuildManifest["artifacts"][number]): Blob => ({
    descriptor: { mediaType: file.mediaType, digest: `sha256:${file.sha256}`, size: file.size, annotations: { [A.title]: file.name } },
    bytes: () => readFileSync(join(dir, file.name)),
});

/** The annotations every artifact of a build carries (deterministic: from the build alone). */
export function childAnnotations(m: BuildManifest): Record<string, string> {
    const payload = m.artifacts.find((a) => a.name === FAMILY_FILES[m.family][0]!.name)!;
    return {
        [A.platform]: m.platform,
        [A.family]: m.family,
        [A.arch]: m.arch,
        [A.revision]: m.gitSha,
        [A.buildDigest]: m.buildDigest,
        [A.builtAt]: m.builtAt,
        [A.created]: m.builtAt,
        [A.payloadSha256]: payload.sha256,
        [A.payloadSize]: String(payload.size),
    };
}

/** The artifact's manifest and the blobs it names. The `oci` family is an image: its own config, no artifactType. */
export function renderChild(child: PublishChild): { bytes: Buffer; blobs: Blob[] } {
    const m = child.manifest;
    const files = m.artifacts.map((a) => fileBlob(child.dir, a));
    const type = artifactType(m.family);
    const config = type ? EMPTY_CONFIG : files.find((f) => f.descriptor.mediaType.endsWith("config.v1+json"))!;
    const layers = files.filter((f) => f !== config).map((f) => (type ? f.descriptor : stripTitle(f.descriptor)));
    const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        ...(type ? { artifactType: type } : {}),
        config: config.descriptor,
        layers,
        annotations: childAnnotations(m),
    };
    return { bytes: Buffer.from(JSON.stringify(manifest)), blobs: [config, ...files.filter((f) => f !== config)] };
}

/** The attestation manifest: build-manifest.json as its one layer. */
export function renderAttestation(child: PublishChild, subjectDigest: string): { bytes: Buffer; blobs: Blob[] } {
    const bytes = Buffer.from(JSON.stringify(child.manifest, null, 2) + "\n");
    const layer: Blob = {
        descriptor: { mediaType: BUILD_MANIFEST_TYPE, digest: sha256(bytes), size: bytes.length, annotations: { [A.title]: "build-manifest.json" } },
        bytes: () => bytes,
    };
    const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: BUILD_MANIFEST_TYPE,
        config: EMPTY_CONFIG.descriptor,
        layers: [layer.descriptor],
        annotations: { "vnd.docker.reference.digest": subjectDigest, "vnd.docker.reference.type": "attestation-manifest" },
    };
    return { bytes: Buffer.from(JSON.stringify(manifest)), blobs: [EMPTY_CONFIG, layer] };
}

/** The image layers of the `oci` family carry no title: container tools read layers as tars. */
function stripTitle(d: Descriptor): Descriptor {
    return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

export function renderIndex(
    req: PublishRequest,
    entries: { child: PublishChild; digest: string; size: number; attestation: { digest: string; size: number } }[],
): Buffer {
    const first = entries[0]!.child.manifest;
    const manifests = entries.flatMap(({ child, digest, size, attestation }): Descriptor[] => [
        {
            mediaType: OCI_MANIFEST,
            digest,
            size,
            ...(artifactType(req.family) ? { artifactType: artifactType(req.family)! } : {}),
            platform: { architecture: child.arch, os: "linux" },
            annotations: { ...childAnnotations(child.manifest), [A.sbom]: attestation.digest },
        },
        {
            mediaType: OCI_MANIFEST,
            digest: attestation.digest,
            size: attestation.size,
            artifactType: BUILD_MANIFEST_TYPE,
            platform: { architecture: "unknown", os: "unknown" },
            annotations: { "vnd.docker.reference.digest": digest, "vnd.docker.reference.type": "attestation-manifest" },
        },
    ]);
    const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        ...(artifactType(req.family) ? { artifactType: artifactType(req.family)! } : {}),
        manifests,
        annotations: { [A.platform]: req.platform, [A.family]: req.family, [A.revision]: first.gitSha, [A.created]: req.publishedAt },
    };
    return Buffer.from(JSON.stringify(index));
}

/** The tag a publication goes under: readable, sortable by time, unique per content. */
export const publicationTag = (publishedAt: string, indexDigest: string) => `${publishedAt.replace(/[^0-9]/g, "").slice(0, 14)}-${indexDigest.slice(7, 19)}`;

/** Pushes blobs, children, attestations, then the index under its tag; returns what was published. */
export async function publish(client: RegistryClient, req: PublishRequest, progress: (line: string) => void = () => undefined): Promise<Publication> {
    // Builds live in the cache of the machine that ran them: refuse before pushing anything.
    // (Content is checked where it is read: copyBlob refuses bytes that do not hash to their digest.)
    for (const child of req.children) {
        const missing = child.manifest.artifacts.filter((a) => !existsSync(join(child.dir, a.name)));
        if (missing.length) {
            throw new Error(
                `${req.family}/${child.arch}: ${missing.map((a) => a.name).join(", ")} not in ${child.dir} as built (the build ran on another machine, or the cache was cleared): ` +
                    `rebuild it here with pulumi up --replace on its build command (…-${req.family}-${child.arch}), then up again`,
            );
        }
    }
    const entries = [];
    const children = req.children.map((child) => ({ child, rendered: renderChild(child) }));
    // How far along the push is, over every blob of every arch.
    const total = {
        blobs: children.reduce((n, c) => n + c.rendered.blobs.length, 0),
        bytes: children.reduce((n, c) => n + c.rendered.blobs.reduce((b, x) => b + x.descriptor.size, 0), 0),
    };
    const sent = { blobs: 0, bytes: 0 };
    for (const { child, rendered } of children) {
        for (const blob of rendered.blobs) {
            sent.blobs++;
            sent.bytes += blob.descriptor.size;
            await client.copyBlob(req.repository, blob.descriptor.digest, () => Promise.resolve(blob.bytes()), { chunkSize: 16 << 20 });
            progress(
                `${req.family}/${child.arch}: ${blob.descriptor.annotations?.[A.title] ?? blob.descriptor.mediaType} (${blob.descriptor.size} bytes) [blob ${sent.blobs}/${total.blobs}, ${mebibytes(sent.bytes, total.bytes)}]`,
            );
        }
        const digest = await client.putManifest(req.repository, sha256(rendered.bytes), rendered.bytes, OCI_MANIFEST);
        const attestation = renderAttestation(child, digest);
        for (const blob of attestation.blobs) await client.copyBlob(req.repository, blob.descriptor.digest, () => Promise.resolve(blob.bytes()));
        const attestationDigest = await client.putManifest(req.repository, sha256(attestation.bytes), attestation.bytes, OCI_MANIFEST);
        entries.push({ child, digest, size: rendered.bytes.length, attestation: { digest: attestationDigest, size: attestation.bytes.length } });
    }
    const index = renderIndex(req, entries);
    const digest = sha256(index);
    const tag = publicationTag(req.publishedAt, digest);
    const pushed = await client.putManifest(req.repository, tag, index, OCI_INDEX);
    if (pushed !== digest) throw new Error(`${req.repository}:${tag}: the registry stored the index as ${pushed}, not ${digest}`);
    return {
        repository: req.repository,
        tag,
        digest,
        children: entries.map(({ child, digest: d, size }) => ({
            arch: child.arch,
            digest: d,
            size,
            payloadSha256: childAnnotations(child.manifest)[A.payloadSha256]!,
        })),
    };
}
