import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hostArch, imagesRecordEnv, IMAGES_ENV, platformImage, type ImagesConfig } from "../../lib/images/images";
import { imagePlan, imagesOn } from "../../lib/images/plan";

const PINNED = `registry.gamma.example.org/platform/traefik@sha256:${"a".repeat(64)}`;

describe("imagePlan", () => {
    const lookup = (role: string, arch: string) => ({ ref: `slipway/${role}:${arch}`, id: `sha256:${role}-${arch}` });
    const config: ImagesConfig = {
        images: { traefik: PINNED },
        host: { endpoint: "ssh://deploy@203.0.113.10", pruneOlderThanHours: 0 },
        registry: {},
        forge: { engine: "none" },
        ci: {},
    };

    it("a pinned role runs its pin everywhere, never shipped; every other role the image assembled for the node's arch", () => {
        const plan = imagePlan(config, lookup);
        expect(plan.roles).toEqual(["traefik", "socket-proxy", "registry", "woodpecker-server", "woodpecker-agent", "ci-clone", "ci-build"]);
        expect(plan.pinned).toEqual({ traefik: PINNED });
        expect(Object.keys(plan.assembled).sort()).toEqual(["amd64", "arm64"]);
        expect(plan.assembled.arm64).not.toHaveProperty("traefik");
        expect(imagesOn(plan, "arm64")).toEqual({
            traefik: PINNED,
            "socket-proxy": "sha256:socket-proxy-arm64",
            registry: "sha256:registry-arm64",
            "woodpecker-server": "sha256:woodpecker-server-arm64",
            "woodpecker-agent": "sha256:woodpecker-agent-arm64",
            "ci-clone": "sha256:ci-clone-arm64",
            "ci-build": "sha256:ci-build-arm64",
        });
    });

    it("the maintenance image only where something is scheduled", () => {
        expect(imagePlan(config, lookup).roles).not.toContain("maintenance");
        expect(imagePlan({ ...config, registry: { gcSchedule: "0 3 * * 0" } }, lookup).assembled.amd64).toHaveProperty("maintenance");
        expect(imagePlan({ ...config, host: { ...config.host, pruneOlderThanHours: 24 } }, lookup).roles).toContain("maintenance");
    });

    it("the forge's image only where the platform runs the forge", () => {
        expect(imagePlan(config, lookup).roles).not.toContain("gitea");
        expect(imagePlan({ ...config, forge: { engine: "gitea" } }, lookup).assembled.arm64).toHaveProperty("gitea", {
            ref: "slipway/gitea:arm64",
            id: "sha256:gitea-arm64",
        });
    });

    it("the preview step's image only where ci.previews is set", () => {
        expect(imagePlan(config, lookup).roles).not.toContain("ci-preview");
        expect(imagePlan({ ...config, ci: { previews: { backendUrl: "s3://state", accessKeyId: "k" } } }, lookup).assembled.amd64).toHaveProperty("ci-preview");
    });

    it("a stack that pins every role needs nothing assembled", () => {
        const all = Object.fromEntries(
            ["traefik", "socket-proxy", "registry", "woodpecker-server", "woodpecker-agent", "ci-clone", "ci-build"].map((r) => [r, PINNED]),
        );
        expect(
            imagePlan({ ...config, images: all }, () => {
                throw new Error("no lookup expected");
            }).assembled,
        ).toEqual({});
    });
});

describe("platformImage", () => {
    const id = (c: string) => `sha256:${c.repeat(64)}`;
    const dirs: string[] = [];
    /** An images.json as setup would leave it, in a cache of its own. */
    const cache = (record: unknown): NodeJS.ProcessEnv => {
        const dir = mkdtempSync(join(tmpdir(), "slipway-images-unit-"));
        dirs.push(dir);
        writeFileSync(join(dir, "images.json"), JSON.stringify(record));
        return { SLIPWAY_CACHE: dir };
    };
    afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    it("each arch by its own ID; the host's by default, which is also the entry's top", () => {
        const amd64 = { ref: "slipway/traefik:3.6.15", id: id("a") };
        const arm64 = { ref: "slipway/traefik:3.6.15-arm64", id: id("b") };
        const host = hostArch() === "amd64" ? amd64 : arm64;
        const env = cache({ traefik: { ...host, arches: { amd64, arm64 } } });
        expect(platformImage("traefik", "amd64", env)).toEqual(amd64);
        expect(platformImage("traefik", "arm64", env)).toEqual(arm64);
        expect(platformImage("traefik", undefined, env)).toEqual(host);
    });

    it("a record from before arches: the host's image, and another arch refused naming the fix", () => {
        const old = { ref: "slipway/registry:3.1.2", id: id("c") };
        const env = cache({ registry: old });
        const other = hostArch() === "amd64" ? "arm64" : "amd64";
        expect(platformImage("registry", hostArch(), env)).toEqual(old);
        expect(() => platformImage("registry", other, env)).toThrow(new RegExp(`"registry" has not been assembled for ${other}.*no arches.*run scripts/setup`));
    });

    it("an arch setup did not assemble, a missing image and a malformed ID: each refused naming the fix", () => {
        const env = cache({
            traefik: { arches: { arm64: { ref: "r", id: id("d") } } },
            registry: { arches: { amd64: { ref: "r", id: "latest" }, arm64: { ref: "r", id: "latest" } } },
        });
        if (hostArch() === "amd64")
            expect(() => platformImage("traefik", "amd64", env)).toThrow(
                /"traefik" has not been assembled for amd64 on this machine \(.* has arm64\): run scripts\/setup/,
            );
        expect(() => platformImage("nonesuch", "arm64", env)).toThrow(/"nonesuch" has not been assembled on this machine.*run scripts\/setup/);
        expect(() => platformImage("registry", "arm64", env)).toThrow(/"registry" for arm64 has no image ID \("latest"\): run scripts\/setup again/);
    });

    it("a machine of another architecture is named", () => {
        expect(hostArch("x64")).toBe("amd64");
        expect(hostArch("arm64")).toBe("arm64");
        expect(() => hostArch("riscv64")).toThrow(/for amd64 and arm64; this machine is riscv64/);
    });
});

describe("the images record a preview step is handed (SLIPWAY_IMAGES)", () => {
    const images = {
        amd64: { traefik: { ref: "slipway/traefik:3", id: `sha256:${"1".repeat(64)}` } },
        arm64: { traefik: { ref: "slipway/traefik:3-arm64", id: `sha256:${"2".repeat(64)}` } },
    };

    it("answers platformImage per arch instead of setup's record, which a pipeline does not have", () => {
        const env = { [IMAGES_ENV]: imagesRecordEnv(images), SLIPWAY_CACHE: "/nonexistent" };
        expect(platformImage("traefik", "amd64", env)).toEqual(images.amd64.traefik);
        expect(platformImage("traefik", "arm64", env)).toEqual(images.arm64.traefik);
        expect(() => platformImage("registry", "amd64", env)).toThrow(/"registry" has not been assembled/);
    });

    it("refuses a value that is not a record, naming where it comes from", () => {
        for (const bad of ["not base64 json", Buffer.from("[1]").toString("base64")])
            expect(() => platformImage("traefik", "amd64", { [IMAGES_ENV]: bad })).toThrow(/SLIPWAY_IMAGES is not the base64 JSON of an images record/);
    });
});
