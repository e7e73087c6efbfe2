import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DiskImagePipeline } from "../../components/diskimage/diskImagePipeline";
import { parseAptShow, type DebPin } from "../../lib/diskimage/debs";
import { renderBuildManifest } from "../../lib/diskimage/manifest";
import { renderGrubConfig, renderGrubEarlyConfig, renderInit, renderIpxeScript, renderOciConfig } from "../../lib/diskimage/render";
import { buildDigest, buildSpec } from "../../lib/diskimage/spec";
import { qemuArgv } from "../../lib/diskimage/boot";
import { publish } from "../../lib/diskimage/publish";
import { RegistryClient } from "../../lib/oci/client";
import { FAMILIES, bootable } from "../../lib/diskimage/targets";
import { promiseOf, recordResources, registered, type RecordedResource } from "../support/mocks";
import { CosignKeyPair } from "../../dynamic-providers/cosignKeyPair";

const DEBS = (JSON.parse(readFileSync(join(__dirname, "..", "..", "toolchain.lock.json"), "utf8")) as { debs: Record<string, DebPin> }).debs;
const RECIPE = { gitSha: "0123456789abcdef0123456789abcdef01234567", sourceDateEpoch: 1_700_000_000, dirty: false };
const spec = (arch: "amd64" | "arm64", family: (typeof FAMILIES)[number], kernel = `6.1.0-56-cloud-${arch}`) =>
    buildSpec({ platform: "edge-node", arch, family, kernel, sourceDateEpoch: RECIPE.sourceDateEpoch, gitSha: RECIPE.gitSha }, DEBS);

describe("disk-image renders", () => {
    it("renders /init, GRUB's configs, the iPXE script and the OCI config per arch", () => {
        expect(renderInit("edge-node", "amd64")).toMatchSnapshot();
        expect(renderGrubEarlyConfig("0123456789abcdef")).toMatchSnapshot();
        expect(renderGrubConfig("arm64")).toMatchSnapshot();
        expect(renderIpxeScript("amd64")).toMatchSnapshot();
        expect(renderIpxeScript("arm64")).toContain("console=ttyAMA0");
        expect(JSON.parse(renderOciConfig("arm64", "2023-11-14T22:13:20Z", `sha256:${"1".repeat(64)}`, { b: "2", a: "1" }))).toMatchSnapshot();
    });

    it("records every input by digest, the recipe commit and the tools in the build manifest", () => {
        const manifest = renderBuildManifest(spec("amd64", "raw"), buildDigest(spec("amd64", "raw")), { xorriso: "1.5.4", cpio: "2.13" }, [
            { name: "disk.img", mediaType: "application/vnd.slipway.disk.raw", size: 69206016, sha256: "2".repeat(64) },
        ]);
        expect(manifest).toMatchSnapshot();
        expect(manifest.inputs.map((i) => i.package)).toEqual(["linux-image-6.1.0-56-cloud-amd64", "busybox-static", "grub-efi-amd64-bin"]);
        expect(manifest.builtAt).toBe("2023-11-14T22:13:20.000Z");
    });

    it("boots each bootable family with the arch's firmware, and never writes to the artifact", () => {
        const argv = (arch: "amd64" | "arm64", family: (typeof FAMILIES)[number]) =>
            qemuArgv({ platform: "p", arch, family, kernel: "k", dir: "/b" }, "/tmp/vars.fd");
        expect(argv("arm64", "raw")).toEqual(
            expect.arrayContaining([
                "qemu-system-aarch64",
                "-snapshot",
                "if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd",
                "if=pflash,format=raw,file=/tmp/vars.fd",
            ]),
        );
        expect(argv("amd64", "iso")).toEqual(
            expect.arrayContaining(["-bios", "/usr/share/ovmf/OVMF.fd", "file=/b/disk.iso,format=raw,if=virtio,media=cdrom,readonly=on"]),
        );
        expect(argv("amd64", "ipxe")).toEqual(expect.arrayContaining(["user,id=n0,tftp=/b,bootfile=boot.ipxe"]));
        expect(FAMILIES.filter((f) => bootable(f, "arm64"))).toEqual(["kernel-initrd", "raw", "iso", "qcow2"]);
        expect(FAMILIES.filter((f) => bootable(f, "amd64"))).toEqual(["kernel-initrd", "raw", "iso", "ipxe", "qcow2"]);
    });
});

describe("publishing", () => {
    it("refuses a build whose files are not on this machine, before sending anything", async () => {
        const client = new RegistryClient({ registry: "127.0.0.1:9", scheme: "http", credentials: null });
        const manifest = renderBuildManifest(spec("amd64", "iso"), buildDigest(spec("amd64", "iso")), {}, [
            { name: "disk.iso", mediaType: "application/vnd.slipway.disk.iso9660", size: 1, sha256: "1".repeat(64) },
        ]);
        await expect(
            publish(client, {
                repository: "disk-images/edge-node/iso",
                platform: "edge-node",
                family: "iso",
                publishedAt: "2026-11-22T00:00:00Z",
                children: [{ arch: "amd64", dir: "/nonexistent/build", manifest }],
            }),
        ).rejects.toThrow(
            /iso\/amd64: disk.iso not in \/nonexistent\/build as built \(the build ran on another machine, or the cache was cleared\): rebuild it here with pulumi up --replace/,
        );
        expect(client.requests).toBe(0);
        client.close();
    });
});

describe("apt's index", () => {
    it("reads the version and .deb sha256 of the stanza asked for", () => {
        const shown = "Package: k\nVersion: 2\nSHA256: bb\n\nPackage: k\nVersion: 1\nSHA256: aa\n";
        expect(parseAptShow(shown)).toEqual({ version: "2", sha256: "bb" });
        expect(parseAptShow(shown, "1")).toEqual({ version: "1", sha256: "aa" });
        expect(parseAptShow(shown, "3")).toBeUndefined();
    });
});

describe("build specs and digests", () => {
    it("refuses a kernel the lock does not pin, or one for the other arch, naming the fix", () => {
        expect(() => spec("amd64", "raw", "6.1.0-99-cloud-amd64")).toThrow(
            /pins no Debian package linux-image-6.1.0-99-cloud-amd64:amd64: add it with npm run bump -- deb linux-image-6.1.0-99-cloud-amd64:amd64/,
        );
        expect(() => spec("arm64", "raw", "6.1.0-56-cloud-amd64")).toThrow(/not an arm64 kernel/);
    });

    it("puts declared initramfs packages and the agent into the inputs, the digest and /init", () => {
        const withAgent = buildSpec(
            {
                platform: "edge-node",
                arch: "arm64",
                family: "raw",
                kernel: "6.1.0-56-cloud-arm64",
                sourceDateEpoch: 1,
                gitSha: RECIPE.gitSha,
                initramfs: { packages: ["bash-static"], agent: "/bin/bash-static -c true" },
            },
            DEBS,
        );
        const plain = buildSpec(
            { platform: "edge-node", arch: "arm64", family: "raw", kernel: "6.1.0-56-cloud-arm64", sourceDateEpoch: 1, gitSha: RECIPE.gitSha },
            DEBS,
        );
        expect(renderBuildManifest(withAgent, buildDigest(withAgent), {}, []).inputs.map((i) => i.package)).toEqual([
            "linux-image-6.1.0-56-cloud-arm64",
            "busybox-static",
            "grub-efi-arm64-bin",
            "bash-static",
        ]);
        expect(buildDigest(withAgent)).not.toBe(buildDigest(plain));
        expect(buildDigest({ ...withAgent, initramfs: { ...withAgent.initramfs, agent: "/bin/bash-static -c false" } })).not.toBe(buildDigest(withAgent));
        expect(() => buildSpec({ ...plain, initramfs: { packages: ["dropbear"] } }, DEBS)).toThrow(
            /pins no Debian package dropbear:arm64: add it with npm run bump -- deb dropbear:arm64/,
        );
        expect(renderInit("edge-node", "arm64", "/bin/bash-static -c true")).toMatchSnapshot();
    });

    it("changes the digest with every input that shapes the bytes, and only those", () => {
        const base = buildDigest(spec("amd64", "kernel-initrd"));
        expect(buildDigest(spec("amd64", "kernel-initrd"))).toBe(base);
        expect(buildDigest(spec("amd64", "kernel-initrd", "6.1.0-55-cloud-amd64"))).not.toBe(base);
        expect(buildDigest({ ...spec("amd64", "kernel-initrd"), sourceDateEpoch: 1 })).not.toBe(base);
        expect(buildDigest({ ...spec("amd64", "kernel-initrd"), platform: "other" })).not.toBe(base);
        // GRUB goes only into the families with a bootloader: a GRUB bump leaves kernel-initrd alone.
        const grubBumped = (family: "kernel-initrd" | "raw") =>
            buildDigest({
                ...spec("amd64", family),
                inputs: { ...spec("amd64", family).inputs, grub: { ...spec("amd64", family).inputs.grub, sha256: "f".repeat(64) } },
            });
        expect(grubBumped("kernel-initrd")).toBe(base);
        expect(grubBumped("raw")).not.toBe(buildDigest(spec("amd64", "raw")));
    });
});

describe("DiskImagePipeline wiring", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });
    beforeEach(() => {
        recorded.length = 0;
    });
    const pipeline = (kernelAmd64: string) =>
        new DiskImagePipeline("disk", {
            platform: "edge-node",
            architectures: ["amd64", "arm64"],
            families: [...FAMILIES],
            kernel: { amd64: kernelAmd64, arm64: "6.1.0-56-cloud-arm64" },
            recipe: RECIPE,
            debs: DEBS,
        });

    it("declares one content-addressed build per (arch, family), triggered by its digest", async () => {
        const builds = await promiseOf(pipeline("6.1.0-56-cloud-amd64").builds);
        expect(builds.map((b) => `${b.family}/${b.arch}`)).toEqual([...FAMILIES.map((f) => `${f}/amd64`), ...FAMILIES.map((f) => `${f}/arm64`)]);
        const commands = recorded.filter((r) => r.type === "command:local:Command");
        expect(commands).toHaveLength(12);
        const raw = commands.find((c) => c.name === "disk-raw-arm64")!;
        expect(raw.inputs.triggers).toEqual([buildDigest(spec("arm64", "raw"))]);
        expect(raw.inputs.create).toMatch(/^node bin\/scripts\/diskImage\.js build '\{"platform":"edge-node","arch":"arm64","family":"raw"/);
    });

    it("bumping one arch's kernel changes only that arch's builds", async () => {
        await promiseOf(pipeline("6.1.0-56-cloud-amd64").builds);
        const before = new Map(recorded.map((r) => [r.name, JSON.stringify(r.inputs.triggers)]));
        recorded.length = 0;
        await promiseOf(pipeline("6.1.0-55-cloud-amd64").builds);
        const changed = recorded
            .filter((r) => r.type === "command:local:Command" && before.get(r.name) !== JSON.stringify(r.inputs.triggers))
            .map((r) => r.name);
        expect(changed.sort()).toEqual(FAMILIES.map((f) => `disk-${f}-amd64`).sort());
    });

    const PASSWORD = "registry-password-that-must-stay-secret";

    it("signs with the key in the command environment only, and verifies and prunes with no secret in any input", async () => {
        const key = new CosignKeyPair("signing-key");
        expect(await promiseOf(key.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:CosignKeyPair::signing-key");
        const pipeline = new DiskImagePipeline("pub", {
            platform: "edge-node",
            architectures: ["amd64", "arm64"],
            families: ["iso"],
            kernel: { amd64: "6.1.0-56-cloud-amd64", arm64: "6.1.0-56-cloud-arm64" },
            recipe: RECIPE,
            debs: DEBS,
            publish: {
                stack: "test",
                registry: "registry.example.org",
                username: "slipway",
                password: PASSWORD,
                signing: { privateKey: "PRIVATE", password: "KEYPASS", publicKey: "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n" },
                keep: 3,
                current: { iso: `sha256:${"9".repeat(64)}` },
                protect: [`sha256:${"8".repeat(64)}`],
            },
        });
        const publications = await promiseOf(pipeline.publications);
        expect(Object.keys(publications).sort()).toEqual(["iso/amd64", "iso/arm64"]);
        expect(publications["iso/arm64"]!.ref).toBe(`registry.example.org/disk-images/edge-node/iso@sha256:${"2".repeat(64)}`);

        const sign = await registered(recorded, "pub-iso-sign");
        expect(sign.inputs.create).toBe(
            `node bin/scripts/diskImage.js sign registry.example.org/disk-images/edge-node/iso@sha256:${"0".repeat(64)} registry-auth/test-pub`,
        );
        // The environment holds secrets, so the whole object reaches the engine as a secret.
        const environment = sign.inputs.environment as { "4dabf18193072939515e22adb298388d"?: string; value?: object };
        expect(environment["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
        expect(Object.keys(environment.value!).sort()).toEqual(["COSIGN_PASSWORD", "COSIGN_PRIVATE_KEY"]);
        // The registry password reaches only the login command, which writes the credentials folder.
        const push = await registered(recorded, "pub-iso-push");
        expect(push.inputs.create).toBe("node bin/scripts/diskImage.js publish registry-auth/test-pub");
        expect(push.inputs.environment).toBeUndefined();
        expect(JSON.stringify(push.inputs)).not.toContain(PASSWORD);
        const verify = await registered(recorded, "pub-iso-verify");
        expect(verify.inputs).toMatchObject({
            reference: `registry.example.org/disk-images/edge-node/iso@sha256:${"0".repeat(64)}`,
            credentialsDir: "registry-auth/test-pub",
        });
        const retention = await registered(recorded, "pub-iso-retention");
        expect(retention.inputs).toMatchObject({
            repository: "registry.example.org/disk-images/edge-node/iso",
            groupBy: ["dev.slipway.platform", "dev.slipway.family"],
            keep: 3,
            protect: [`sha256:${"9".repeat(64)}`, `sha256:${"8".repeat(64)}`],
        });
        for (const r of [verify, retention]) expect(JSON.stringify(r.inputs)).not.toMatch(/registry-password|PRIVATE|KEYPASS/);
    });
});
