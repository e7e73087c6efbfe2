// Where each image a platform runs comes from: a stack may pin a role to a registry reference
// its nodes pull (`slipway:images.<role>`, by digest); every other role runs the image setup
// assembled on this machine, by ID, for the node's architecture. This machine's engine has
// them; a remote node gets them shipped over SSH (NodeImages, lib/docker/ship).
import type { ImagesByArch } from "../docker/ship";
import { IMAGE_ARCHES, platformImage, wantedRoles, type ImagesConfig, type PlatformImage, type PlatformRole } from "./images";
import type { Arch } from "../diskimage/targets";

export interface ImagePlan {
    /** The roles this configuration runs. */
    roles: PlatformRole[];
    /** Roles the stack pins to a registry reference: run as they are, never shipped. */
    pinned: Partial<Record<PlatformRole, string>>;
    /** The other roles, as setup assembled them, per architecture. */
    assembled: ImagesByArch;
}

/** The plan for a validated configuration; `lookup` reads setup's record (tests pass their own). */
export function imagePlan(config: ImagesConfig, lookup: (role: PlatformRole, arch: Arch) => PlatformImage = platformImage): ImagePlan {
    const roles = wantedRoles(config);
    const pinned = Object.fromEntries(roles.filter((r) => config.images[r]).map((r) => [r, config.images[r]!])) as ImagePlan["pinned"];
    const unpinned = roles.filter((r) => !pinned[r]);
    const assembled: ImagesByArch = {};
    if (unpinned.length > 0) {
        for (const arch of IMAGE_ARCHES) assembled[arch] = Object.fromEntries(unpinned.map((role) => [role, lookup(role, arch)]));
    }
    return { roles, pinned, assembled };
}

/** What each role runs on an engine of `arch`: the pin, else the assembled image's ID. */
export function imagesOn(plan: ImagePlan, arch: string): Partial<Record<PlatformRole, string>> {
    return Object.fromEntries(plan.roles.map((role) => [role, plan.pinned[role] ?? plan.assembled[arch]?.[role]?.id]));
}
