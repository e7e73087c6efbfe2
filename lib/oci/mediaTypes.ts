export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";

/** Every manifest type Slipway reads. distribution answers 404 to a GET whose Accept lacks the OCI types. */
export const MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

export const isIndex = (mediaType: string | undefined) => mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;

export interface Descriptor {
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
    platform?: { architecture: string; os: string; variant?: string };
}

/** An image manifest or an index: the fields Slipway reads. */
export interface Manifest {
    schemaVersion: 2;
    mediaType?: string;
    artifactType?: string;
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
    subject?: Descriptor;
    annotations?: Record<string, string>;
}
