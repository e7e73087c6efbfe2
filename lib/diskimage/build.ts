// Builds one artifact family for one arch from pinned Debian packages, twice, and refuses
// the result unless both builds are byte-identical. Every timestamp is SOURCE_DATE_EPOCH,
// every order is sorted, every id (FAT serial, GPT GUIDs, GRUB's search file) comes from the
// build digest, so the same inputs give the same bytes on any machine with the same tools.
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { timedStep, type Progress } from "./progress";
import { extractDeb, sha256File } from "./debs";
import { renderGrubConfig, renderGrubEarlyConfig, renderInit, renderIpxeScript, renderOciConfig } from "./render";
import { buildDigest, usesGrub, type BuildSpec } from "./spec";
import { ARCH_TARGETS, FAMILY_FILES } from "./targets";
import { clampTimes, listTree } from "./tree";
import { renderBuildManifest, type BuildManifest } from "./manifest";
import { run } from "./run";
import { sha256 } from "../oci/client";
import { toolVersions } from "./tools";

export interface BuildResult {
    /** Folder holding the artifact files and build-manifest.json. */
    dir: string;
    manifest: BuildManifest;
    /** False when an identical earlier build was found in the cache. */
    built: boolean;
}

const GRUB_MODULES = ["part_gpt", "part_msdos", "fat", "iso9660", "search", "search_fs_file", "configfile", "normal", "linux", "echo", "test"];
const MIB = 1024 * 1024;

/** Where a build's result lives: content-addressed, so a rebuild of the same inputs is a lookup. */
export const buildDir = (cacheRoot: string, spec: BuildSpec) => join(cacheRoot, "disk-images", spec.platform, spec.arch, spec.family, buildDigest(spec));

/**
 * Builds `spec` into the cache (or finds it there, checked against its manifest). Builds
 * twice and compares: a difference fails the build, naming the files that differ.
 */
/** `steps`: how many steps the whole job has (a boot test after the build is one more): shown as [i/n]. */
export async function buildArtifact(spec: BuildSpec, cacheRoot: string, progress: Progress, steps = 3): Promise<BuildResult> {
    const dir = buildDir(cacheRoot, spec);
    const cached = readCached(dir);
    if (cached) {
        progress(`${label(spec)}: already built (${dir})`);
        return { dir, manifest: cached, built: false };
    }
    const work = `${dir}.work-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    try {
        const roots = await timedStep(progress, `${label(spec)}: inputs`, () => extractInputs(spec, cacheRoot), { index: 1, of: steps });
        const a = await timedStep(progress, `${label(spec)}: build`, () => buildOnce(spec, roots, join(work, "a")), { index: 2, of: steps });
        const b = await timedStep(progress, `${label(spec)}: rebuild for the reproducibility check`, () => buildOnce(spec, roots, join(work, "b")), {
            index: 3,
            of: steps,
        });
        const differ = FAMILY_FILES[spec.family].map((f) => f.name).filter((name) => sha256File(join(a, name)) !== sha256File(join(b, name)));
        if (differ.length)
            throw new Error(
                `${label(spec)} is not reproducible: ${differ.join(", ")} differ between two builds of the same inputs (kept for comparison in ${work})`,
            );
        const manifest = renderBuildManifest(spec, buildDigest(spec), await toolVersions(), artifactsOf(spec, a));
        writeFileSync(join(a, "build-manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
        mkdirSync(join(dir, ".."), { recursive: true });
        rmSync(dir, { recursive: true, force: true });
        renameSync(a, dir);
        rmSync(work, { recursive: true, force: true });
        return { dir, manifest, built: true };
    } catch (error) {
        // Keep a non-reproducible build for inspection; anything else is only debris.
        if (!(error instanceof Error && error.message.includes("is not reproducible"))) rmSync(work, { recursive: true, force: true });
        throw error;
    }
}

const label = (spec: BuildSpec) => `${spec.platform} ${spec.family}/${spec.arch}`;

/** A finished build whose files still match its manifest, or undefined. */
function readCached(dir: string): BuildManifest | undefined {
    const path = join(dir, "build-manifest.json");
    if (!existsSync(path)) return undefined;
    const manifest = JSON.parse(readFileSync(path, "utf8")) as BuildManifest;
    const intact = manifest.artifacts.every((a) => existsSync(join(dir, a.name)) && sha256File(join(dir, a.name)) === a.sha256);
    return intact ? manifest : undefined;
}

interface InputRoots {
    kernel: string;
    busybox: string;
    grub?: string;
    /** Extracted trees of the initramfs packages, in declaration order. */
    packages: string[];
}

async function extractInputs(spec: BuildSpec, cacheRoot: string): Promise<InputRoots> {
    const [kernel, busybox, grub, packages] = await Promise.all([
        extractDeb(spec.inputs.kernel, cacheRoot),
        extractDeb(spec.inputs.busybox, cacheRoot),
        usesGrub(spec.family) ? extractDeb(spec.inputs.grub, cacheRoot) : undefined,
        Promise.all(spec.initramfs.packages.map((deb) => extractDeb(deb, cacheRoot))),
    ]);
    const vmlinuz = join(kernel, "boot", `vmlinuz-${spec.kernel}`);
    if (!existsSync(vmlinuz)) throw new Error(`${spec.inputs.kernel.package} has no /boot/vmlinuz-${spec.kernel}: is ${spec.kernel} the kernel's ABI name?`);
    return { kernel, busybox, packages, ...(grub ? { grub } : {}) };
}

function artifactsOf(spec: BuildSpec, dir: string) {
    return FAMILY_FILES[spec.family].map(({ name, mediaType }) => ({
        name,
        mediaType,
        size: statSync(join(dir, name)).size,
        sha256: sha256File(join(dir, name)),
    }));
}

/** One build of `spec` into `out`, which it creates; returns `out`. */
async function buildOnce(spec: BuildSpec, roots: InputRoots, out: string): Promise<string> {
    const scratch = join(out, ".scratch");
    mkdirSync(scratch, { recursive: true });
    const env = toolEnv(spec);
    const boot = join(scratch, "boot");
    mkdirSync(boot);
    copyFileSync(join(roots.kernel, "boot", `vmlinuz-${spec.kernel}`), join(boot, "vmlinuz"));
    writeFileSync(join(boot, "initrd.img"), await initramfs(spec, roots, join(scratch, "initramfs"), env));

    switch (spec.family) {
        case "kernel-initrd":
            move(boot, out, ["vmlinuz", "initrd.img"]);
            break;
        case "ipxe":
            writeFileSync(join(out, "boot.ipxe"), renderIpxeScript(spec.arch));
            move(boot, out, ["vmlinuz", "initrd.img"]);
            break;
        case "raw":
            await rawDisk(spec, roots, boot, scratch, join(out, "disk.img"), env);
            break;
        case "qcow2":
            await rawDisk(spec, roots, boot, scratch, join(scratch, "disk.img"), env);
            await run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", join(scratch, "disk.img"), join(out, "disk.qcow2")], { env });
            break;
        case "iso":
            await isoImage(spec, roots, boot, scratch, join(out, "disk.iso"), env);
            break;
        case "oci":
            await ociImage(spec, boot, scratch, out, env);
            break;
    }
    rmSync(scratch, { recursive: true, force: true });
    return out;
}

function toolEnv(spec: BuildSpec): NodeJS.ProcessEnv {
    return { ...process.env, SOURCE_DATE_EPOCH: String(spec.sourceDateEpoch), TZ: "UTC", LC_ALL: "C", MTOOLS_SKIP_CHECK: "1" };
}

function move(from: string, to: string, names: string[]) {
    for (const name of names) renameSync(join(from, name), join(to, name));
}

/** busybox + /init as a newc cpio, zstd-compressed (Debian's kernels have RD_ZSTD). */
async function initramfs(spec: BuildSpec, roots: InputRoots, root: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
    for (const d of ["bin", "dev", "proc", "sys"]) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
    // Declared packages go in whole (static binaries: there is no libc here), docs left out.
    for (const tree of roots.packages) {
        cpSync(tree, root, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.startsWith(join(tree, "usr", "share", "doc")) });
    }
    copyFileSync(join(roots.busybox, "bin", "busybox"), join(root, "bin", "busybox"));
    writeFileSync(join(root, "init"), renderInit(spec.platform, spec.arch, spec.initramfs.agent), { mode: 0o755 });
    clampTimes(root, spec.sourceDateEpoch);
    const list = listTree(root).join("\n") + "\n";
    const cpio = await run(["cpio", "--create", "--format=newc", "--reproducible", "--owner=0:0", "--quiet"], { cwd: root, env, input: Buffer.from(list) });
    return run(["zstd", "-19", "-T1", "-q", "-c"], { env, input: cpio });
}

/** The ESP tree: GRUB as the removable-media boot file, the kernel, the initramfs, grub.cfg. */
async function espTree(spec: BuildSpec, roots: InputRoots, boot: string, tree: string, env: NodeJS.ProcessEnv) {
    const { grubPlatform, efiBootFile } = ARCH_TARGETS[spec.arch];
    const id = buildDigest(spec).slice(0, 16);
    mkdirSync(join(tree, "EFI", "BOOT"), { recursive: true });
    mkdirSync(join(tree, "boot", "grub"), { recursive: true });
    const early = join(tree, "..", "grub-early.cfg");
    writeFileSync(early, renderGrubEarlyConfig(id));
    await run(
        [
            "grub-mkimage",
            "-d",
            join(roots.grub!, "usr", "lib", "grub", grubPlatform),
            "-O",
            grubPlatform,
            "-c",
            early,
            "-p",
            "/boot/grub",
            "-o",
            join(tree, "EFI", "BOOT", efiBootFile),
            ...GRUB_MODULES,
        ],
        { env },
    );
    copyFileSync(join(boot, "vmlinuz"), join(tree, "boot", "vmlinuz"));
    copyFileSync(join(boot, "initrd.img"), join(tree, "boot", "initrd.img"));
    writeFileSync(join(tree, "boot", "grub", "grub.cfg"), renderGrubConfig(spec.arch));
    writeFileSync(join(tree, "boot", `slipway-${id}.id`), `${spec.platform} ${spec.family}/${spec.arch}\n`);
    clampTimes(tree, spec.sourceDateEpoch);
}

/** A FAT image of `tree`'s top-level entries; serial and times fixed (mkfs.fat --invariant). */
async function fatImage(spec: BuildSpec, tree: string, entries: string[], image: string, sizeBytes: number, env: NodeJS.ProcessEnv) {
    const serial = buildDigest(spec).slice(0, 8);
    await run(["mkfs.fat", "-C", "-i", serial, "--invariant", "-n", "SLIPWAY", image, String(sizeBytes / 1024)], { env });
    await run(["mcopy", "-s", "-m", "-i", image, ...entries.map((e) => join(tree, e)), "::/"], { env });
}

/** A GPT disk with one EFI system partition (1 MiB aligned), GUIDs from the build digest. */
async function rawDisk(spec: BuildSpec, roots: InputRoots, boot: string, scratch: string, image: string, env: NodeJS.ProcessEnv) {
    const tree = join(scratch, "esp");
    await espTree(spec, roots, boot, tree, env);
    const content = listTree(tree).reduce((sum, p) => sum + fileSize(join(tree, p)), 0);
    const espBytes = Math.max(64 * MIB, Math.ceil((content * 1.25 + 8 * MIB) / MIB) * MIB);
    const esp = join(scratch, "esp.img");
    await fatImage(spec, tree, ["EFI", "boot"], esp, espBytes, env);
    writeFileSync(image, "");
    await run(["truncate", "-s", String(espBytes + 2 * MIB), image]);
    const digest = buildDigest(spec);
    await run(["sgdisk", "-U", guid(digest, 0), "-n", `1:2048:+${espBytes / 1024}K`, "-t", "1:ef00", "-u", `1:${guid(digest, 1)}`, "-c", "1:ESP", image], {
        env,
    });
    await run(["dd", `if=${esp}`, `of=${image}`, "bs=1M", "seek=1", "conv=notrunc", "status=none"]);
}

/** An ISO 9660 image booting GRUB by El Torito (and as a hybrid disk through an appended ESP). */
async function isoImage(spec: BuildSpec, roots: InputRoots, boot: string, scratch: string, image: string, env: NodeJS.ProcessEnv) {
    const tree = join(scratch, "iso");
    await espTree(spec, roots, boot, tree, env);
    const efiImage = join(scratch, "efi.img");
    const grubSize = fileSize(join(tree, "EFI", "BOOT", ARCH_TARGETS[spec.arch].efiBootFile));
    await fatImage(spec, tree, ["EFI"], efiImage, Math.max(4 * MIB, Math.ceil((grubSize + 2 * MIB) / MIB) * MIB), env);
    copyFileSync(efiImage, join(tree, "boot", "efi.img"));
    clampTimes(tree, spec.sourceDateEpoch);
    await run(
        [
            "xorriso",
            "-report_about",
            "SORRY",
            "-as",
            "mkisofs",
            "-o",
            image,
            "-V",
            "SLIPWAY",
            "-R",
            "-e",
            "boot/efi.img",
            "-no-emul-boot",
            "-append_partition",
            "2",
            "0xef",
            efiImage,
            "-partition_cyl_align",
            "all",
            tree,
        ],
        { env },
    );
}

/** A bootc-style OCI image: kernel and initramfs under /usr/lib/modules/<kver>/, one layer. */
async function ociImage(spec: BuildSpec, boot: string, scratch: string, out: string, env: NodeJS.ProcessEnv) {
    const root = join(scratch, "rootfs");
    const modules = join(root, "usr", "lib", "modules", spec.kernel);
    mkdirSync(modules, { recursive: true });
    copyFileSync(join(boot, "vmlinuz"), join(modules, "vmlinuz"));
    copyFileSync(join(boot, "initrd.img"), join(modules, "initramfs.img"));
    clampTimes(root, spec.sourceDateEpoch);
    const tar = await run(
        ["tar", "--sort=name", `--mtime=@${spec.sourceDateEpoch}`, "--owner=0", "--group=0", "--numeric-owner", "--format=gnu", "-C", root, "-cf", "-", "usr"],
        { env },
    );
    const diffId = sha256(tar);
    writeFileSync(join(out, "layer.tar.gz"), await run(["gzip", "-n", "-9", "-c"], { env, input: tar }));
    const created = new Date(spec.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const labels = {
        "org.opencontainers.image.revision": spec.gitSha,
        "org.opencontainers.image.created": created,
        "dev.slipway.platform": spec.platform,
        "dev.slipway.kernel": spec.kernel,
    };
    writeFileSync(join(out, "config.json"), renderOciConfig(spec.arch, created, diffId, labels));
}

function fileSize(path: string): number {
    return statSync(path).size;
}

/** A version-4-shaped GUID from the digest: stable per build, different per disk and partition. */
function guid(digest: string, n: number): string {
    const h = createHash("sha256").update(`${digest}:${n}`).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}
