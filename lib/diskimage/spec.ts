// What one build is (platform × arch × family from pinned inputs) and its content address:
// the digest of everything that decides the bytes. Equal digests mean equal artifacts (the
// build checks that by building twice), so the digest is the build resource's trigger.
import { createHash } from "node:crypto";
import type { DebInput, DebPin } from "./debs";
import { debInput } from "./debs";
import type { Arch, Family } from "./targets";

/** Bumped whenever the recipe (lib/diskimage) changes what it produces. */
export const RECIPE_VERSION = 2;

/** What the initramfs holds beyond busybox and /init: packages unpacked into it, and an agent /init runs. */
export interface InitramfsSpec {
    packages: DebInput[];
    agent?: string;
}

export interface BuildSpec {
    platform: string;
    arch: Arch;
    family: Family;
    /** The kernel's ABI name, as in linux-image-<abi> and /boot/vmlinuz-<abi>. */
    kernel: string;
    inputs: { kernel: DebInput; busybox: DebInput; grub: DebInput };
    initramfs: InitramfsSpec;
    /** Commit time of the recipe's last change: every timestamp in every artifact. */
    sourceDateEpoch: number;
    /** That commit: recorded in the build manifest and the publication's annotations. */
    gitSha: string;
}

export const GRUB_PACKAGE: Record<Arch, string> = { amd64: "grub-efi-amd64-bin", arm64: "grub-efi-arm64-bin" };

/** A spec from the lock's pins; throws naming the fix when a package is not pinned. */
export function buildSpec(
    args: Omit<BuildSpec, "inputs" | "initramfs"> & { initramfs?: { packages?: string[]; agent?: string } },
    debs: Record<string, DebPin> | undefined,
): BuildSpec {
    const { arch, kernel, initramfs, ...rest } = args;
    if (!kernel.endsWith(`-${arch}`)) throw new Error(`kernel ${kernel} is not an ${arch} kernel (its ABI name ends in -${arch}, e.g. 6.1.0-56-cloud-${arch})`);
    return {
        platform: rest.platform,
        arch,
        family: rest.family,
        kernel,
        sourceDateEpoch: rest.sourceDateEpoch,
        gitSha: rest.gitSha,
        initramfs: { packages: (initramfs?.packages ?? []).map((p) => debInput(debs, p, arch)), ...(initramfs?.agent ? { agent: initramfs.agent } : {}) },
        inputs: {
            kernel: debInput(debs, `linux-image-${kernel}`, arch),
            busybox: debInput(debs, "busybox-static", arch),
            grub: debInput(debs, GRUB_PACKAGE[arch], arch),
        },
    };
}

/** sha256 hex over the recipe version and every field that decides the artifact's bytes. */
export function buildDigest(spec: BuildSpec): string {
    const { platform, arch, family, kernel, sourceDateEpoch, gitSha } = spec;
    const canonical = JSON.stringify({
        recipe: RECIPE_VERSION,
        platform,
        arch,
        family,
        kernel,
        inputs: specInputs(spec).map((d) => `${d.package}:${d.arch}=${d.version}@${d.sha256}`),
        agent: spec.initramfs.agent ?? null,
        sourceDateEpoch,
        gitSha,
    });
    return createHash("sha256").update(canonical).digest("hex");
}

/** The packages a family is built from: GRUB only where a bootloader goes in. */
export function specInputs(spec: BuildSpec): DebInput[] {
    const { kernel, busybox, grub } = spec.inputs;
    return [kernel, busybox, ...(usesGrub(spec.family) ? [grub] : []), ...spec.initramfs.packages];
}

export const usesGrub = (family: Family) => family === "raw" || family === "iso" || family === "qcow2";
