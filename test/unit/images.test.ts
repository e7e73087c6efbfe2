import { describe, expect, it } from "vitest";
import { platformImages, resolveImages, type ImagesConfig } from "../../lib/images";

const assembled = (role: string) => `sha256:${role}`;
const PINNED = `registry.gamma.example.org/platform/traefik@sha256:${"a".repeat(64)}`;

describe("resolveImages", () => {
    it("on this machine: the assembled images by ID, a pinned reference where the stack sets one", () => {
        const images = resolveImages({ traefik: PINNED }, "unix:///var/run/docker.sock", assembled);
        expect(images).toEqual({ traefik: PINNED, "socket-proxy": "sha256:socket-proxy", registry: "sha256:registry", "woodpecker-server": "sha256:woodpecker-server", "woodpecker-agent": "sha256:woodpecker-agent" });
    });

    it("a remote host must have every role pinned: refused with the roles and the commands", () => {
        expect(() => resolveImages({ traefik: PINNED }, "ssh://deploy@203.0.113.10", assembled)).toThrow(
            /ssh:\/\/deploy@203\.0\.113\.10 cannot run images assembled on this machine; pin socket-proxy, registry, woodpecker-server, woodpecker-agent by digest.*pulumi config set --path 'images\.registry'/,
        );
    });

    it("the maintenance image only where something is scheduled: then a remote host must pin it too", () => {
        const all = ["traefik", "socket-proxy", "registry", "woodpecker-server", "woodpecker-agent", "maintenance"] as const;
        expect(resolveImages({}, "unix:///var/run/docker.sock", assembled, all).maintenance).toBe("sha256:maintenance");
        const pinned = Object.fromEntries(all.filter((r) => r !== "maintenance").map((r) => [r, PINNED]));
        expect(() => resolveImages(pinned, "ssh://deploy@203.0.113.10", assembled)).not.toThrow();
        expect(() => resolveImages(pinned, "ssh://deploy@203.0.113.10", assembled, all)).toThrow(/pin maintenance by digest/);
    });

    it("platformImages: what the program hands the Platform, by service; maintenance only once something is scheduled", () => {
        const config: ImagesConfig = { images: { traefik: PINNED }, host: { endpoint: "unix:///var/run/docker.sock", pruneOlderThanHours: 0 }, registry: {} };
        expect(platformImages(config, assembled)).toEqual({ traefik: PINNED, socketProxy: "sha256:socket-proxy", registry: "sha256:registry", ciServer: "sha256:woodpecker-server", ciAgent: "sha256:woodpecker-agent" });
        expect(platformImages({ ...config, registry: { ...config.registry, gcSchedule: "0 3 * * 0" } }, assembled).maintenance).toBe("sha256:maintenance");
        expect(platformImages({ ...config, host: { ...config.host, pruneOlderThanHours: 24 } }, assembled).maintenance).toBe("sha256:maintenance");
    });
});
