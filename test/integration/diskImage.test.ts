// The disk-image builder for real: pinned Debian packages in, byte-identical artifacts out,
// booted under QEMU (TCG) for both arches. Builds go to a scratch cache that shares only the
// fetched .debs with setup's cache, so every build here really runs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { slipwayCache } from "../../lib/cache";
import { bootTest } from "../../lib/diskimage/boot";
import { buildArtifact } from "../../lib/diskimage/build";
import { fetchDeb, sha256File, type DebPin } from "../../lib/diskimage/debs";
import { buildSpec, type BuildSpec } from "../../lib/diskimage/spec";
import type { Arch, Family } from "../../lib/diskimage/targets";
import { ROOT } from "../support/prerequisites";
import { scratchDir } from "../support/tmp";

const DEBS = (JSON.parse(readFileSync(join(ROOT, "toolchain.lock.json"), "utf8")) as { debs: Record<string, DebPin> }).debs;
const spec = (arch: Arch, family: Family, platform = "it-node"): BuildSpec =>
    buildSpec(
        { platform, arch, family, kernel: `6.1.0-56-cloud-${arch}`, sourceDateEpoch: 1_700_000_000, gitSha: "0123456789abcdef0123456789abcdef01234567" },
        DEBS,
    );
const quiet = () => undefined;

describe("disk-image builds", () => {
    let cache: string;
    beforeAll(() => {
        cache = scratchDir("disk-cache-");
        symlinkSync(join(slipwayCache(), "debs"), join(cache, "debs"));
    });

    it.each(["amd64", "arm64"] as const)(
        "builds kernel + initramfs for %s twice identically, and it boots to the marker with the pinned kernel",
        async (arch) => {
            const result = await buildArtifact(spec(arch, "kernel-initrd"), cache, quiet);
            expect(result.built).toBe(true);
            expect(result.manifest.artifacts.map((a) => a.name)).toEqual(["vmlinuz", "initrd.img"]);
            for (const a of result.manifest.artifacts) expect(sha256File(join(result.dir, a.name))).toBe(a.sha256);
            const boot = await bootTest({ platform: "it-node", arch, family: "kernel-initrd", kernel: `6.1.0-56-cloud-${arch}`, dir: result.dir });
            expect(boot.line).toBe(`SLIPWAY-BOOT-OK platform=it-node arch=${arch} kernel=6.1.0-56-cloud-${arch}`);
        },
    );

    it("finds an intact earlier build instead of building, rebuilds a tampered one, and a rebuild gives the same bytes", async () => {
        const first = await buildArtifact(spec("amd64", "kernel-initrd"), cache, quiet);
        const again = await buildArtifact(spec("amd64", "kernel-initrd"), cache, quiet);
        expect(again.built).toBe(false);
        expect(again.manifest).toEqual(first.manifest);

        writeFileSync(join(first.dir, "initrd.img"), "tampered");
        const rebuilt = await buildArtifact(spec("amd64", "kernel-initrd"), cache, quiet);
        expect(rebuilt.built).toBe(true);
        expect(rebuilt.manifest.artifacts).toEqual(first.manifest.artifacts);
    });

    it("builds the OCI family as a bootc-style layer whose diff_id the config names", async () => {
        const result = await buildArtifact(spec("arm64", "oci"), cache, quiet);
        const listing = execFileSync("tar", ["-tvzf", join(result.dir, "layer.tar.gz")], { encoding: "utf8" });
        expect(listing).toMatch(/usr\/lib\/modules\/6\.1\.0-56-cloud-arm64\/vmlinuz/);
        expect(listing).toMatch(/usr\/lib\/modules\/6\.1\.0-56-cloud-arm64\/initramfs\.img/);
        expect(listing).toMatch(/0\/0 .* 2023-11-14 22:13/);
        const config = JSON.parse(readFileSync(join(result.dir, "config.json"), "utf8")) as {
            architecture: string;
            rootfs: { diff_ids: string[] };
            config: { Labels: Record<string, string> };
        };
        const tar = gunzipSync(readFileSync(join(result.dir, "layer.tar.gz")));
        expect(config.rootfs.diff_ids).toEqual([`sha256:${createHash("sha256").update(tar).digest("hex")}`]);
        expect(config.architecture).toBe("arm64");
        expect(config.config.Labels["org.opencontainers.image.revision"]).toBe("0123456789abcdef0123456789abcdef01234567");
    });

    it("fails a boot that does not reach this platform's marker, showing the console", async () => {
        const result = await buildArtifact(spec("amd64", "kernel-initrd"), cache, quiet);
        // The image boots, but prints another platform's marker and powers off: QEMU exits first.
        await expect(
            bootTest({ platform: "another-node", arch: "amd64", family: "kernel-initrd", kernel: "6.1.0-56-cloud-amd64", dir: result.dir }),
        ).rejects.toThrow(
            /another-node kernel-initrd\/amd64: QEMU exited \(0\) before the boot marker; the console ended with:[\s\S]*SLIPWAY-BOOT-OK platform=it-node/,
        );
        await expect(
            bootTest({ platform: "it-node", arch: "amd64", family: "kernel-initrd", kernel: "6.1.0-56-cloud-amd64", dir: result.dir, timeoutMs: 300 }),
        ).rejects.toThrow(/did not print its boot marker within 0.3 s/);
    });

    it("unpacks declared packages into the initramfs and runs the agent before the marker; a failing agent fails the boot", async () => {
        const withAgent = (agent: string) =>
            buildSpec(
                {
                    platform: "it-node",
                    arch: "amd64",
                    family: "kernel-initrd",
                    kernel: "6.1.0-56-cloud-amd64",
                    sourceDateEpoch: 1_700_000_000,
                    gitSha: "0123456789abcdef0123456789abcdef01234567",
                    initramfs: { packages: ["bash-static"], agent },
                },
                DEBS,
            );
        const ok = await buildArtifact(withAgent("/bin/bash-static -c 'test -d /proc/self'"), cache, quiet);
        const boot = await bootTest({ platform: "it-node", arch: "amd64", family: "kernel-initrd", kernel: "6.1.0-56-cloud-amd64", dir: ok.dir });
        expect(boot.line).toBe("SLIPWAY-BOOT-OK platform=it-node arch=amd64 kernel=6.1.0-56-cloud-amd64 agent=0");
        const failing = await buildArtifact(withAgent("/bin/bash-static -c 'exit 3'"), cache, quiet);
        await expect(
            bootTest({ platform: "it-node", arch: "amd64", family: "kernel-initrd", kernel: "6.1.0-56-cloud-amd64", dir: failing.dir }),
        ).rejects.toThrow(/it-node kernel-initrd\/amd64: the agent exited 3/);
    });

    it("refuses a package whose bytes are not the pinned ones", async () => {
        const pinned = DEBS["busybox-static:amd64"]!;
        const dir = scratchDir("debs-");
        await expect(fetchDeb({ package: "busybox-static", arch: "amd64", version: pinned.version, sha256: "0".repeat(64) }, dir)).rejects.toThrow(
            /busybox-static:amd64=.* from apt has sha256 [0-9a-f]{64}, but toolchain.lock.json pins 0{64}: refusing it/,
        );
        rmSync(dir, { recursive: true, force: true });
    });
});
