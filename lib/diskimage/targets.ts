// What differs between the two architectures and the six families, in one table each, so
// the builder and the boot test read the same facts. Paths are Debian's (bookworm packages).

export const ARCHES = ["amd64", "arm64"] as const;
export type Arch = (typeof ARCHES)[number];

export const FAMILIES = ["kernel-initrd", "raw", "iso", "ipxe", "qcow2", "oci"] as const;
export type Family = (typeof FAMILIES)[number];

export interface ArchTarget {
    /** GRUB's platform name: its module folder and `grub-mkimage -O`. */
    grubPlatform: string;
    /** The removable-media path UEFI firmware boots without any boot entry. */
    efiBootFile: string;
    /** The serial console the kernel writes the boot marker to. */
    console: string;
    qemu: { binary: string; machine: string[]; firmwareCode: string; firmwareVars?: string };
}

export const ARCH_TARGETS: Record<Arch, ArchTarget> = {
    amd64: {
        grubPlatform: "x86_64-efi",
        efiBootFile: "BOOTX64.EFI",
        console: "ttyS0",
        qemu: { binary: "qemu-system-x86_64", machine: [], firmwareCode: "/usr/share/ovmf/OVMF.fd" },
    },
    arm64: {
        grubPlatform: "arm64-efi",
        efiBootFile: "BOOTAA64.EFI",
        console: "ttyAMA0",
        // TCG: no KVM for a foreign architecture. cortex-a57 is what Debian's arm64 kernel and AAVMF both run on.
        qemu: {
            binary: "qemu-system-aarch64",
            machine: ["-M", "virt", "-cpu", "cortex-a57"],
            firmwareCode: "/usr/share/AAVMF/AAVMF_CODE.fd",
            firmwareVars: "/usr/share/AAVMF/AAVMF_VARS.fd",
        },
    },
};

/** The file each family publishes, with its OCI media type; `kernel-initrd` is the base of all others. */
export const FAMILY_FILES: Record<Family, { name: string; mediaType: string }[]> = {
    "kernel-initrd": [
        { name: "vmlinuz", mediaType: "application/vnd.slipway.kernel" },
        { name: "initrd.img", mediaType: "application/vnd.slipway.initrd.cpio.zstd" },
    ],
    raw: [{ name: "disk.img", mediaType: "application/vnd.slipway.disk.raw" }],
    iso: [{ name: "disk.iso", mediaType: "application/vnd.slipway.disk.iso9660" }],
    ipxe: [
        { name: "boot.ipxe", mediaType: "application/vnd.slipway.ipxe.script" },
        { name: "vmlinuz", mediaType: "application/vnd.slipway.kernel" },
        { name: "initrd.img", mediaType: "application/vnd.slipway.initrd.cpio.zstd" },
    ],
    qcow2: [{ name: "disk.qcow2", mediaType: "application/vnd.slipway.disk.qcow2" }],
    oci: [
        { name: "layer.tar.gz", mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
        { name: "config.json", mediaType: "application/vnd.oci.image.config.v1+json" },
    ],
};

/** `artifactType` of a family's per-arch manifest (the OCI family is a plain image: none). */
export const artifactType = (family: Family): string | undefined => (family === "oci" ? undefined : `application/vnd.slipway.disk-image.${family}.v1`);

/**
 * Families a boot test can start here. An OCI image is not booted directly (bootc installs
 * it); Debian's iPXE has no arm64 build and arm64 firmware's network boot does not run iPXE
 * scripts, so an arm64 iPXE script is checked by its render test and its payload by the
 * kernel-initrd boot of the same arch.
 */
export function bootable(family: Family, arch: Arch): boolean {
    if (family === "oci") return false;
    if (family === "ipxe") return arch === "amd64";
    return true;
}
