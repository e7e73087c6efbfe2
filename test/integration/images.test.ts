// Platform images assembled from the pinned binaries, for every architecture: reproducible (a
// second assembly in a fresh cache gives the same image ID), runnable by ID on this machine,
// labelled with the module they came from. The arm64 images cannot run on this engine: their
// binaries are checked to be aarch64 and run, from the image's own files, under Debian's
// qemu-user-static.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostArch, IMAGE_ARCHES, imagesRecordPath, platformImage, type ImageRecord } from "../../lib/images/images";
import { must, run } from "../support/exec";

const cache = process.env.SLIPWAY_CACHE ?? join(homedir(), ".cache", "slipway");
const fresh = mkdtempSync(join(tmpdir(), "slipway-images-"));
const lock = JSON.parse(readFileSync("toolchain.lock.json", "utf8")) as { images: Record<string, { entrypoint: string[] }> };
const QEMU = "/usr/bin/qemu-aarch64-static";

/** What each image's binaries print when asked their version, run as the image would run them. */
const PROBES: Record<string, Array<{ argv: string[]; prints: string }>> = {
    traefik: [{ argv: ["traefik", "version"], prints: "3.6.15" }],
    registry: [{ argv: ["registry", "--version"], prints: "v3.1.2" }],
    "woodpecker-server": [{ argv: ["woodpecker-server", "--version"], prints: "1.0.5" }],
    "woodpecker-agent": [{ argv: ["woodpecker-agent", "--version"], prints: "1.0.5" }],
    "socket-proxy": [{ argv: ["haproxy", "-v"], prints: "HAProxy version 2.6.12-1+deb12u4" }],
    maintenance: [
        { argv: ["sh", "-c", 'echo "$0 runs"'], prints: "sh runs" },
        { argv: ["busybox", "--help"], prints: "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)" },
        { argv: ["docker", "--version"], prints: "Docker version 20.10.24+dfsg1" },
    ],
    gitea: [
        { argv: ["gitea", "--version"], prints: "gitea version 1.26.0" },
        { argv: ["git", "--version"], prints: "git version 2.39.5" },
        { argv: ["sh", "-c", 'echo "$0 runs"'], prints: "sh runs" },
    ],
    // The clone step: git, and its HTTPS helper with libcurl and its libraries (the helper prints its usage and exits 1 without a remote, so through sh).
    "ci-clone": [
        { argv: ["git", "--version"], prints: "git version 2.39.5" },
        { argv: ["sh", "-c", "git-remote-https 2>&1; echo exit $?"], prints: "exit 1" },
        { argv: ["sh", "-n", "/usr/local/bin/slipway-clone"], prints: "" },
    ],
    "ci-build": [
        { argv: ["crane", "version"], prints: "v0.22.1" },
        { argv: ["cosign", "version"], prints: "v3.1.3" },
        { argv: ["sh", "-n", "/usr/local/bin/slipway-publish"], prints: "" },
    ],
    // The preview step: Node, the CLI and its plugins, the compiler from the image's dependencies, and the /preview service's files (they load: it stops at its first missing setting).
    "ci-preview": [
        { argv: ["node", "--version"], prints: "v24.21.0" },
        { argv: ["pulumi", "version"], prints: "v3.248.0" },
        { argv: ["pulumi-language-nodejs", "--help"], prints: "Usage of /usr/local/bin/pulumi-language-nodejs" },
        { argv: ["pulumi-resource-command", "--help"], prints: "Usage of /usr/local/bin/pulumi-resource-command" },
        { argv: ["crane", "version"], prints: "v0.22.1" },
        { argv: ["node", "/opt/slipway/node_modules/typescript/bin/tsc", "--version"], prints: "Version 5.9.3" },
        {
            argv: ["node", "-e", "try { require('/usr/local/lib/slipway/app/scripts/previewCommands.js') } catch (e) { console.log(e.message) }"],
            prints: "SLIPWAY_FORGE_URL is not set",
        },
        { argv: ["sh", "-n", "/usr/local/bin/slipway-preview"], prints: "" },
    ],
};

/** The image's filesystem and config, as `docker save` gives them. */
async function extract(id: string, dir: string): Promise<{ root: string; config: { architecture: string; os: string; config: { Entrypoint: string[] } } }> {
    mkdirSync(dir, { recursive: true });
    await must("docker", ["save", "-o", join(dir, "image.tar"), id]);
    await must("tar", ["-xf", join(dir, "image.tar"), "-C", dir]);
    const [manifest] = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Array<{ Config: string; Layers: string[] }>;
    const root = join(dir, "rootfs");
    mkdirSync(root);
    for (const layer of manifest!.Layers) await must("tar", ["-xf", join(dir, layer), "-C", root]);
    return { root, config: JSON.parse(readFileSync(join(dir, manifest!.Config), "utf8")) as never };
}

/** Every ELF file under `dir`, by path. */
function elfFiles(dir: string): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter(
            (e) =>
                e.isFile() &&
                readFileSync(join(e.parentPath, e.name))
                    .subarray(0, 4)
                    .equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])),
        )
        .map((e) => join(e.parentPath, e.name));
}

const machine = async (path: string) => /Machine:\s*(.+)/.exec(await must("readelf", ["-h", path]))?.[1]?.trim();

describe("platform images", () => {
    beforeAll(() => {
        // A fresh record, over the same binaries and Debian packages.
        symlinkSync(join(cache, "tools"), join(fresh, "tools"));
        symlinkSync(join(cache, "debs"), join(fresh, "debs"));
    });
    afterAll(() => rmSync(fresh, { recursive: true, force: true }));

    it.each([
        ["registry", hostArch()],
        ["woodpecker-server", hostArch()],
        ["gitea", hostArch()],
        ...Object.keys(lock.images).map((name) => [name, "arm64"] as const),
    ] as const)(
        "%s for %s: assembled again from the same inputs, the same image ID",
        async (name, arch) => {
            const assembled = platformImage(name, arch);
            await must("scripts/images/assemble", [name, arch], { env: { ...process.env, SLIPWAY_CACHE: fresh }, timeoutMs: 300_000 });
            expect(platformImage(name, arch, { SLIPWAY_CACHE: fresh })).toEqual(assembled);
        },
        300_000,
    );

    it("every image for every arch is recorded; the host's also at the top, where readers before arm64 look", () => {
        const record = JSON.parse(readFileSync(imagesRecordPath(), "utf8")) as Record<string, ImageRecord>;
        for (const name of Object.keys(lock.images)) {
            for (const arch of IMAGE_ARCHES) expect(record[name]?.arches?.[arch]?.id, `${name} ${arch}`).toMatch(/^sha256:[a-f0-9]{64}$/);
            expect({ ref: record[name]!.ref, id: record[name]!.id }).toEqual(record[name]!.arches![hostArch()]);
            expect(platformImage(name)).toEqual(platformImage(name, hostArch()));
            expect(platformImage(name, "arm64").id).not.toBe(platformImage(name, "amd64").id);
        }
    });

    it.each([
        ["registry", "v3.1.2"],
        ["traefik", "3.6.15"],
        ["woodpecker-server", "1.0.5"],
        ["woodpecker-agent", "1.0.5"],
        ["gitea", "1.26.0"],
    ])("%s runs by ID and is the pinned version", async (name, version) => {
        const { id } = platformImage(name);
        const output = await must("docker", ["run", "--rm", id, name === "traefik" ? "version" : "--version"]);
        expect(output).toContain(version);
        expect(await must("docker", ["image", "inspect", "-f", '{{index .Config.Labels "org.opencontainers.image.version"}}', id])).toBe(
            version.replace(/^v/, ""),
        );
    });

    it("every image has a version probe below", () => {
        expect(Object.keys(PROBES).sort()).toEqual(Object.keys(lock.images).sort());
    });

    it.each(Object.keys(lock.images))(
        "%s for arm64: an arm64 config, nothing but aarch64 ELF files, and its binaries run from the image's own files",
        async (name) => {
            expect(existsSync(QEMU), "scripts/setup installs qemu-user-static").toBe(true);
            const { id } = platformImage(name, "arm64");
            const { root, config } = await extract(id, join(fresh, `arm64-${name}`));
            expect([config.os, config.architecture]).toEqual(["linux", "arm64"]);
            expect(await must("docker", ["image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", id])).toBe("linux/arm64");
            // The entrypoint (busybox's sh is a link to busybox) is an aarch64 executable, and so is every other ELF file.
            const entrypoint = realpathSync(join(root, "usr/local/bin", config.config.Entrypoint[0]!));
            expect(await machine(entrypoint)).toBe("AArch64");
            const elves = elfFiles(root);
            expect(elves).toContain(entrypoint);
            for (const elf of elves) expect(await machine(elf), elf).toBe("AArch64");
            // chroot, so the loader and every library come from the image or nowhere (qemu's -L would
            // fall back to this machine's files).
            copyFileSync(QEMU, join(root, "qemu-aarch64-static"));
            // What a container's /dev gives every program (git opens /dev/null before anything else).
            mkdirSync(join(root, "dev"), { recursive: true });
            await must("mknod", ["-m", "666", join(root, "dev", "null"), "c", "1", "3"]);
            for (const probe of PROBES[name]!) {
                const result = await run("chroot", [root, "/qemu-aarch64-static", `/usr/local/bin/${probe.argv[0]}`, ...probe.argv.slice(1)], {
                    timeoutMs: 120_000,
                });
                expect(`${result.stdout}\n${result.stderr}`, probe.argv.join(" ")).toContain(probe.prints);
                expect(result.code, probe.argv.join(" ")).toBe(0);
            }
        },
        300_000,
    );

    it("setup stops at the first image it cannot assemble, saying which and why", async () => {
        const broken = { ...lock, images: { "aaa-broken": { tool: "traefik", binary: "no-such-binary", entrypoint: ["x"] }, ...lock.images } };
        // Sorted first, so images after it would still be assembled if a failure were ignored.
        writeFileSync(join(fresh, "lock.json"), JSON.stringify(broken));
        const result = await run("scripts/setup", [], { env: { ...process.env, SLIPWAY_LOCK: join(fresh, "lock.json") }, timeoutMs: 300_000 });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("no-such-binary is missing");
        expect(result.stderr).toContain("setup: step 'platform images' failed");
        expect(result.stderr).not.toContain("slipway/registry:");
    }, 300_000);

    it("an image setup never assembled: an error naming the fix", () => {
        expect(() => platformImage("nonesuch", hostArch(), { SLIPWAY_CACHE: fresh })).toThrow(/"nonesuch" has not been assembled.*run scripts\/setup/);
    });
});
