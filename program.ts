// Slipway's Pulumi program: validated config → Platform → outputs other stacks read. Loaded by
// index.ts once the dynamic provider is registered; its exports are the stack's outputs.
import { dynamicProvider } from "./components/kit/dynamicProvider";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { Platform } from "./components/platform";
import { imagePlan } from "./lib/imagePlan";
import { recipeCommit } from "./lib/diskimage/recipe";
import { OUTPUTS_VERSION } from "./lib/outputs/schema";
import { ROUTED_BY } from "./lib/proxy/traefik";
import type { DebPin } from "./lib/diskimage/debs";

const config = loadConfig();
const images = (() => {
    try {
        return imagePlan(config);
    } catch (error) {
        // Setup has not assembled an image here: shown without a stack trace.
        throw new pulumi.RunError((error as Error).message);
    }
})();
// Disk images are built from the recipe's commit and the lock's Debian pins (read only when declared: they need a git checkout).
const diskImageInputs = config.diskImages.length
    ? (() => {
          try {
              const lock = JSON.parse(readFileSync(join(__dirname, "..", "toolchain.lock.json"), "utf8")) as { debs?: Record<string, DebPin> };
              return { recipe: recipeCommit(join(__dirname, "..")), debs: lock.debs ?? {} };
          } catch (error) {
              throw new pulumi.RunError((error as Error).message);
          }
      })()
    : undefined;
const platform = new Platform(
    "slipway",
    {
        config,
        ...(diskImageInputs ? { diskImageInputs } : {}),
        images,
    },
    { providers: [dynamicProvider] },
);

/** The version of these outputs' schema (lib/outputs/schema.ts); readPlatformOutputs checks it. */
export const outputsVersion = OUTPUTS_VERSION;
/** Name of the attachable overlay network services join to be routed by Traefik. */
export const proxyNetwork = platform.host.networkName;
/** Labels on the swarm manager node. */
export const nodeLabels = platform.host.labels;
/** Workers joined over SSH, by name: node ID and hostname (services are placed with node.labels.slipway.worker==<name>). */
export const workers = platform.host.workers;
/** CA that issued the proxy's certificate when Slipway generated it (local stacks); trust it to reach the platform. */
export const proxyCaCertificate = platform.proxy.caCertificate;
/** The site's domain: services are routed at <name>.<domain> (Traefik's web-secure entrypoint). */
export const proxyDomain = config.proxy.domain;
/** Labels another stack's service carries (with Traefik's route labels) to be routed by this platform's Traefik. */
export const proxyRouteLabels = { [ROUTED_BY]: config.stack };
/** Traefik's health through its own HTTPS route. */
export const proxyPingUrl = platform.proxy.pingUrl;
/** The platform registry's host (registry.<domain>[:port]), user and password (secret). */
export const registryHost = platform.registry.host;
export const registryUsername = platform.registry.username;
export const registryPassword = platform.registry.password;
/** The CI server (Woodpecker) and the bearer token for its /metrics (secret). */
export const ciUrl = platform.ci.url;
export const ciMetricsToken = platform.ci.metricsToken;
/** The images the platform's CI runs pipeline steps in, by ID (what pipelines pin): `clone` (every pipeline's clone step), `build` (crane, cosign and slipway-publish) and, with ci.previews, `preview` (slipway-preview). */
export const ciStepImages = platform.ciStepImages;
/** With ci.previews (secret): the backend, read-only credentials, passphrase and forge token `npm run ci:repo -- … --preview` gives preview pipelines. */
export const ciPreview = platform.ciPreview;
/** The platform's forge (forge.engine gitea): its URL, and its admin's name and password (secret) to log in with. */
export const forgeUrl = platform.forge?.stack.url;
export const forgeAdminUser = platform.forge?.stack.adminUser;
export const forgeAdminPassword = platform.forge?.stack.adminPassword;
/** Disk-image builds per "<platform>/<family>/<arch>": build digest, files (sha256, size) and boot time. */
export const diskImageBuilds = pulumi.all(platform.diskImages.map((p) => p.builds)).apply((all) =>
    Object.fromEntries(
        all.flat().map((b) => [
            `${b.manifest.platform}/${b.family}/${b.arch}`,
            { buildDigest: b.buildDigest, gitSha: b.manifest.gitSha, artifacts: b.manifest.artifacts, ...(b.bootSeconds !== undefined ? { bootSeconds: b.bootSeconds } : {}) },
        ]),
    ),
);
/** Per "<platform>/<family>/<arch>": the newest proven publication (ref@digest, git SHA, built at, signer, size, sha256). */
export const diskImagePublications = pulumi.all(platform.diskImages.map((p) => pulumi.all([p.platform, p.publications]))).apply((all) =>
    Object.fromEntries(all.flatMap(([name, byKey]) => Object.entries(byKey).map(([key, artifact]) => [`${name}/${key}`, artifact]))),
);
/** Per "<platform>/<family>": the current publication (the pinned one after a rollback, else the newest). */
export const diskImageCurrent = pulumi.all(platform.diskImages.map((p) => pulumi.all([p.platform, p.current]))).apply((all) =>
    Object.fromEntries(all.flatMap(([name, byFamily]) => Object.entries(byFamily).map(([family, current]) => [`${name}/${family}`, current]))),
);
/** The public key disk-image signatures verify with (cosign verify --key). */
export const diskImageSigningKey = platform.signingKey?.publicKey;
/** Repositories declared in config, by name: where to push (`repository`) and its marker's digest. */
export const repositories = platform.repositories;
/** Pinned upstream images copied into the platform registry, by local repository: ref@digest to deploy. */
export const mirrors = platform.mirrors;
/** Build-once promotions by name: what each target tag now names (ref@digest), its revision and signer. */
export const promotions = platform.promotions;
