// The platform's images, as setup assembled them from the pinned binaries (scripts/images/
// assemble). A service runs its image by ID, the sha256 of the image config: the exact content,
// resolved once here, never a tag that could later name something else.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { slipwayCache } from "../cache";
import { ARCHES, type Arch } from "../diskimage/targets";

export interface PlatformImage {
    /** slipway/<name>:<version> (amd64) or slipway/<name>:<version>-<arch>, for people reading `docker images`. */
    ref: string;
    /** sha256:<hex> of the image config: what services run. */
    id: string;
}

/** One entry of images.json: the host's image at the top (what readers before arm64 read), every arch under `arches`. */
export interface ImageRecord extends Partial<PlatformImage> {
    arches?: Partial<Record<Arch, PlatformImage>>;
}

/** The architectures setup assembles every platform image for (scripts/lib/common.sh SLIPWAY_IMAGE_ARCHES). */
export const IMAGE_ARCHES: readonly Arch[] = ARCHES;

/** This machine's architecture, as images name it. */
export function hostArch(nodeArch: string = process.arch): Arch {
    const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, Arch>)[nodeArch];
    if (!arch) throw new Error(`Slipway assembles platform images for ${IMAGE_ARCHES.join(" and ")}; this machine is ${nodeArch}`);
    return arch;
}

/** Where setup records the assembled images (follows scripts/lib/common.sh). */
export function imagesRecordPath(env: NodeJS.ProcessEnv = process.env): string {
    return join(slipwayCache(env), "images.json");
}

/**
 * Where the platform's CI hands a preview step the images the site runs (base64 JSON, images.json's
 * shape): a pipeline has no setup of its own, and previews what the site was deployed with.
 */
export const IMAGES_ENV = "SLIPWAY_IMAGES";

/** The record of `images` (per arch, per role) for IMAGES_ENV. */
export function imagesRecordEnv(images: Partial<Record<Arch, Partial<Record<string, PlatformImage>>>>): string {
    const record: Record<string, ImageRecord> = {};
    for (const [arch, roles] of Object.entries(images) as Array<[Arch, Partial<Record<string, PlatformImage>>]>) {
        for (const [role, image] of Object.entries(roles))
            if (image) record[role] = { arches: { ...record[role]?.arches, [arch]: { ref: image.ref, id: image.id } } };
    }
    return Buffer.from(JSON.stringify(record)).toString("base64");
}

function recordFromEnv(value: string): Record<string, ImageRecord> {
    try {
        const record = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as unknown;
        if (record !== null && typeof record === "object" && !Array.isArray(record)) return record as Record<string, ImageRecord>;
    } catch {
        // reported below
    }
    throw new Error(`${IMAGES_ENV} is not the base64 JSON of an images record: the platform's CI sets it (ci.previews); unset it to read setup's record`);
}

/**
 * The image `name` from toolchain.lock.json's `images` for `arch` (default: this machine's), by
 * ID; throws naming the fix when setup has not assembled it. The entry's top holds the host's
 * image (all a record written before images had arches holds).
 */
export function platformImage(name: string, arch: Arch = hostArch(), env: NodeJS.ProcessEnv = process.env): PlatformImage {
    const path = env[IMAGES_ENV] ? IMAGES_ENV : imagesRecordPath(env);
    const record = env[IMAGES_ENV]
        ? recordFromEnv(env[IMAGES_ENV])
        : existsSync(path)
          ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, ImageRecord>)
          : {};
    const entry = record[name];
    if (!entry) throw new Error(`the platform image "${name}" has not been assembled on this machine (no entry in ${path}): run scripts/setup`);
    const image = entry.arches?.[arch] ?? (arch === hostArch() && entry.id ? entry : undefined);
    if (!image)
        throw new Error(
            `the platform image "${name}" has not been assembled for ${arch} on this machine (${path} has ${Object.keys(entry.arches ?? {}).join(", ") || "no arches"}): run scripts/setup`,
        );
    if (typeof image.id !== "string" || !/^sha256:[a-f0-9]{64}$/.test(image.id))
        throw new Error(`${path}: "${name}" for ${arch} has no image ID (${JSON.stringify(image.id)}): run scripts/setup again`);
    return { ref: image.ref ?? "", id: image.id };
}

/** The images a platform deployment runs, by the role names `slipway:images` uses. */
export const PLATFORM_ROLES = [
    "traefik",
    "socket-proxy",
    "registry",
    "woodpecker-server",
    "woodpecker-agent",
    "ci-clone",
    "ci-build",
    "ci-preview",
    "maintenance",
    "gitea",
] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];
/** Roles only some deployments run: maintenance does the scheduled prune and registry GC; gitea is the platform's forge; ci-preview runs pull-request previews. */
export const OPTIONAL_ROLES: readonly PlatformRole[] = ["maintenance", "gitea", "ci-preview"];

/** What the images depend on in the stack configuration (slipway:images, host, registry). */
export interface ImagesConfig {
    images: Record<string, string>;
    host: { endpoint: string; pruneOlderThanHours: number };
    registry: { gcSchedule?: string | undefined };
    forge: { engine: string };
    ci: { previews?: unknown };
}

/** The roles a configuration runs: every role but the optional ones, plus maintenance when it schedules a prune or a registry collection, gitea when it runs the forge, and ci-preview with ci.previews. */
export function wantedRoles(config: Pick<ImagesConfig, "host" | "registry" | "forge" | "ci">): PlatformRole[] {
    const wanted: Partial<Record<PlatformRole, boolean>> = {
        maintenance: config.host.pruneOlderThanHours > 0 || config.registry.gcSchedule !== undefined,
        gitea: config.forge.engine === "gitea",
        "ci-preview": config.ci.previews !== undefined,
    };
    return PLATFORM_ROLES.filter((role) => !OPTIONAL_ROLES.includes(role) || wanted[role] === true);
}
