import { describe, expect, it } from "vitest";
import { apiHost, isLoopback } from "../../lib/mirror/mirrorImage";

describe("mirror upstream hosts", () => {
    it("reaches Docker Hub's API where it is served, every other registry where it is named", () => {
        expect(apiHost("docker.io")).toBe("registry-1.docker.io");
        expect(apiHost("ghcr.io")).toBe("ghcr.io");
        expect(apiHost("registry.example.org:5000")).toBe("registry.example.org:5000");
    });

    it("speaks plain HTTP only to a registry on this machine", () => {
        for (const host of ["127.0.0.1:5000", "localhost:5000", "localhost", "[::1]:5000"]) expect(isLoopback(host)).toBe(true);
        for (const host of ["registry.example.org", "127.0.0.1.example.org:5000", "10.0.0.1:5000"]) expect(isLoopback(host)).toBe(false);
    });
});
