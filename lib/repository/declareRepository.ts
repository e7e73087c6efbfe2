// Declared repositories (config `registry.repositories`). A distribution registry has no
// "create repository" call: a repository exists once it holds a manifest. A declared one is
// made to exist by a small marker artifact, tagged `slipway-repository`, so it is listed in the
// catalog, can be named by other stacks before CI's first push, and has a digest to export.
// The marker is deterministic (no timestamp): declaring the same repository again writes the
// same bytes. Removing a declaration removes the marker only, never what was pushed there.
import type { RegistryClient } from "../oci/client";
import { sha256 } from "../oci/client";
import { clientFor, waitUntilServing, type Connection } from "../oci/connect";
import { RegistryError } from "../oci/errors";
import { OCI_EMPTY, OCI_MANIFEST } from "../oci/mediaTypes";
import { parseRepository } from "../oci/reference";

/** The tag the marker carries: what `read` looks up, and what an operator sees in the tag list. */
export const MARKER_TAG = "slipway-repository";
export const MARKER_ARTIFACT_TYPE = "application/vnd.slipway.repository.v1";
/** The annotation naming the repository (so two repositories' markers differ, and a copied one is recognised). */
export const REPOSITORY_ANNOTATION = "dev.slipway.repository";

const EMPTY = Buffer.from("{}");

/** A declaration that did not take (or a removal that did not): names the repository; `cause` is the registry's error. */
export class RepositoryDeclarationError extends Error {
    constructor(
        /** `registry/repository`. */
        readonly repository: string,
        message: string,
        options?: ErrorOptions,
    ) {
        super(message, options);
        this.name = "RepositoryDeclarationError";
    }
}

/**
 * No connection could be made at all: nothing listens there, or the name is gone. A reset, a
 * stall past the deadline or any answer means a registry is there and did not do it.
 */
const unreachable = (error: RegistryError) => error.status === 0 && !error.code && /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH)\b/.test(error.message);

/** The marker's manifest bytes for `repository`: the same repository always gets the same bytes. */
export function markerManifest(repository: string): Buffer {
    const empty = { mediaType: OCI_EMPTY, digest: sha256(EMPTY), size: EMPTY.length };
    return Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            artifactType: MARKER_ARTIFACT_TYPE,
            config: empty,
            // OCI 1.1: an artifact without content carries the empty descriptor as its one layer.
            layers: [empty],
            annotations: {
                [REPOSITORY_ANNOTATION]: repository,
                "org.opencontainers.image.description":
                    "Declared by Slipway (registry.repositories): removing the declaration removes this marker, nothing else",
            },
        }),
    );
}

/**
 * Makes `repository` exist: pushes its marker (idempotent) and reads the tag back. Returns the
 * marker's digest. Waits up to `servingTimeoutMs` for the registry to serve its API first.
 */
export async function declareRepository(client: RegistryClient, repository: string, { servingTimeoutMs = 90_000 } = {}): Promise<string> {
    // A registry (re)deployed in this same up is routed by the proxy only once it has seen it.
    await waitUntilServing(client, servingTimeoutMs);
    await client.pushBlob(repository, EMPTY);
    const bytes = markerManifest(repository);
    const written = await client.putManifest(repository, MARKER_TAG, bytes, OCI_MANIFEST);
    const landed = await client.resolve(repository, MARKER_TAG);
    if (landed !== written)
        throw new RepositoryDeclarationError(
            `${client.registry}/${repository}`,
            `${client.registry}/${repository}:${MARKER_TAG} resolves to ${landed} after the push, not ${written}`,
        );
    return written;
}

/** The marker's digest as the registry holds it now; "" when it is gone or is not Slipway's marker (drift). */
export async function declaredDigest(client: RegistryClient, repository: string): Promise<string> {
    try {
        const marker = await client.getManifest(repository, MARKER_TAG);
        return marker.digest === sha256(markerManifest(repository)) ? marker.digest : "";
    } catch (error) {
        if (error instanceof RegistryError && error.notFound) return "";
        throw error;
    }
}

/**
 * Removes the marker (its tag goes with it); the repository's other content stays. Gone already
 * is done, and so is a registry that cannot be reached at all (nothing listens, the name is
 * gone): one removed (by a destroy, or by hand) took its repositories with it, and a marker left
 * on one that was only unreachable is a two-byte artifact, not a reason to block a destroy
 * forever. A registry that is there but fails — an error answer, a reset, a stall past the
 * deadline — fails the removal, naming it: the marker may still be there.
 */
export async function undeclareRepository(client: RegistryClient, repository: string): Promise<void> {
    try {
        await client.deleteManifest(repository, sha256(markerManifest(repository)));
    } catch (error) {
        if (error instanceof RegistryError && unreachable(error)) return;
        throw error;
    }
}

/** What the provider runs, by the `registry/repository` string, with the connection read at call time. */
export async function withRepository<T>(
    target: string,
    connection: Connection,
    action: (client: RegistryClient, repository: string) => Promise<T>,
): Promise<T> {
    const { registry, repository } = parseRepository(target);
    const client = clientFor(registry, connection);
    try {
        return await action(client, repository);
    } catch (error) {
        throw new RepositoryDeclarationError(`${registry}/${repository}`, `declared repository ${target}: ${(error as Error).message}`, { cause: error });
    } finally {
        client.close();
    }
}
