// The text files inside a disk image, rendered by pure functions (snapshot-tested): the
// initramfs's /init, GRUB's two configs, the iPXE script and the OCI image config.
import type { Arch } from "./targets";
import { ARCH_TARGETS } from "./targets";

/** The line a booted image prints on its serial console; the boot test waits for exactly it. */
export const bootMarker = (platform: string, arch: Arch) => `SLIPWAY-BOOT-OK platform=${platform} arch=${arch}`;

/** Kernel arguments: the marker goes to the serial console; a panic powers off instead of hanging the boot test. */
export const kernelArgs = (arch: Arch) => `console=${ARCH_TARGETS[arch].console} panic=-1 quiet`;

/**
 * The initramfs's /init (busybox, static): mounts the kernel filesystems, prints the marker
 * and powers off. It is the node agent's stand-in: what a real platform adds goes after the
 * marker, and the boot test proves kernel + initramfs + bootloader reach userspace.
 */
export function renderInit(platform: string, arch: Arch, agent?: string): string {
    return [
        "#!/bin/busybox sh",
        "/bin/busybox mount -t proc proc /proc",
        "/bin/busybox mount -t sysfs sysfs /sys",
        "/bin/busybox mount -t devtmpfs devtmpfs /dev",
        // The agent runs first; its exit status is in the marker, so the boot test sees it ran.
        ...(agent ? [agent, "agent=$?"] : []),
        `echo "${bootMarker(platform, arch)} kernel=$(/bin/busybox uname -r)${agent ? " agent=$agent" : ""}"`,
        "/bin/busybox poweroff -f",
        "",
    ].join("\n");
}

/**
 * Built into the GRUB EFI binary: find the volume holding this build's id file, whichever
 * disk or CD the firmware started GRUB from (the El Torito image of an ISO holds only GRUB),
 * then read its grub.cfg.
 */
export function renderGrubEarlyConfig(buildId: string): string {
    return [
        `search --no-floppy --file --set=root /boot/slipway-${buildId}.id`,
        "set prefix=($root)/boot/grub",
        "configfile ($root)/boot/grub/grub.cfg",
        "",
    ].join("\n");
}

export function renderGrubConfig(arch: Arch): string {
    return ["set timeout=0", `linux /boot/vmlinuz ${kernelArgs(arch)}`, "initrd /boot/initrd.img", "boot", ""].join("\n");
}

/**
 * The iPXE script: kernel and initramfs by URIs relative to the script's own, so the three
 * files boot from wherever they are served together (HTTP, TFTP). `imgverify`-free on
 * purpose: the publication's cosign signature covers all three files.
 */
export function renderIpxeScript(arch: Arch): string {
    return ["#!ipxe", `kernel vmlinuz ${kernelArgs(arch)}`, "initrd initrd.img", "boot", ""].join("\n");
}

/** The OCI image config of the `oci` family: no runnable entrypoint, a bootc-style payload. */
export function renderOciConfig(arch: Arch, created: string, diffId: string, labels: Record<string, string>): string {
    const config = {
        architecture: arch,
        os: "linux",
        created,
        config: { Labels: sortKeys(labels) },
        rootfs: { type: "layers", diff_ids: [diffId] },
        history: [{ created, created_by: "slipway disk-image builder" }],
    };
    return JSON.stringify(config);
}

export function sortKeys(record: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
