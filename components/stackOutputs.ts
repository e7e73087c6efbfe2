// The stack's outputs: what other stacks read through a StackReference, typed on the consumer's
// side by lib/outputs/schema.ts (readPlatformOutputs checks the version first). Program.ts
// exports exactly this record.
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { buildsByKey, byPlatformKey } from "../lib/outputs/flatten";
import { OUTPUTS_VERSION } from "../lib/outputs/schema";
import { ROUTED_BY } from "../lib/proxy/traefik";
import type { Platform } from "./platform";

export function stackOutputs(platform: Platform, config: PlatformConfig) {
    const { diskImages } = platform;
    return {
        /** The version of these outputs' schema (lib/outputs/schema.ts); readPlatformOutputs checks it. */
        outputsVersion: OUTPUTS_VERSION,
        /** Name of the attachable overlay network services join to be routed by Traefik. */
        proxyNetwork: platform.host.networkName,
        /** Labels on the swarm manager node. */
        nodeLabels: platform.host.labels,
        /** Workers joined over SSH, by name: node ID and hostname (services are placed with node.labels.slipway.worker==<name>). */
        workers: platform.host.workers,
        /** CA that issued the proxy's certificate when Slipway generated it (local stacks); trust it to reach the platform. */
        proxyCaCertificate: platform.proxy.caCertificate,
        /** The site's domain: services are routed at <name>.<domain> (Traefik's web-secure entrypoint). */
        proxyDomain: config.proxy.domain,
        /** Labels another stack's service carries (with Traefik's route labels) to be routed by this platform's Traefik. */
        proxyRouteLabels: { [ROUTED_BY]: config.stack },
        /** Traefik's health through its own HTTPS route. */
        proxyPingUrl: platform.proxy.pingUrl,
        /** The platform registry's host (registry.<domain>[:port]), user and password (secret). */
        registryHost: platform.registry.host,
        registryUsername: platform.registry.username,
        registryPassword: platform.registry.password,
        /** The CI server (Woodpecker) and the bearer token for its /metrics (secret). */
        ciUrl: platform.ci.url,
        ciMetricsToken: platform.ci.metricsToken,
        /** The images the platform's CI runs pipeline steps in, by ID (what pipelines pin): `clone` (every pipeline's clone step), `build` (crane, cosign and slipway-publish) and, with ci.previews, `preview` (slipway-preview). */
        ciStepImages: platform.ciStepImages,
        /** With ci.previews (secret): the backend, read-only credentials, passphrase and forge token `npm run ci:repo -- … --preview` gives preview pipelines. */
        ciPreview: platform.ciPreview,
        /** The platform's forge (forge.engine gitea): its URL, and its admin's name and password (secret) to log in with. */
        forgeUrl: platform.forge?.stack.url,
        forgeAdminUser: platform.forge?.stack.adminUser,
        forgeAdminPassword: platform.forge?.stack.adminPassword,
        /** Disk-image builds per "<platform>/<family>/<arch>": build digest, files (sha256, size) and boot time. */
        diskImageBuilds: pulumi.all(diskImages.map((p) => p.builds)).apply(buildsByKey),
        /** Per "<platform>/<family>/<arch>": the newest proven publication (ref@digest, git SHA, built at, signer, size, sha256). */
        diskImagePublications: pulumi.all(diskImages.map((p) => pulumi.all([p.platform, p.publications]))).apply(byPlatformKey),
        /** Per "<platform>/<family>": the current publication (the pinned one after a rollback, else the newest). */
        diskImageCurrent: pulumi.all(diskImages.map((p) => pulumi.all([p.platform, p.current]))).apply(byPlatformKey),
        /** The public key disk-image signatures verify with (cosign verify --key). */
        diskImageSigningKey: platform.signingKey?.publicKey,
        /** Repositories declared in config, by name: where to push (`repository`) and its marker's digest. */
        repositories: platform.repositories,
        /** Pinned upstream images copied into the platform registry, by local repository: ref@digest to deploy. */
        mirrors: platform.mirrors,
        /** Build-once promotions by name: what each target tag now names (ref@digest), its revision and signer. */
        promotions: platform.promotions,
    };
}
