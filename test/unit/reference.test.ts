import { describe, expect, it } from "vitest";
import { digestTag, formatReference, parseReference } from "../../lib/oci/reference";

const D = `sha256:${"ab".repeat(32)}`;

describe("parseReference", () => {
    it("parses host:port, nested repositories, tags and digests", () => {
        expect(parseReference("127.0.0.1:5000/apps/web:v1")).toEqual({ registry: "127.0.0.1:5000", repository: "apps/web", tag: "v1" });
        expect(parseReference(`registry.example.org/apps/web:v1@${D}`)).toEqual({
            registry: "registry.example.org",
            repository: "apps/web",
            tag: "v1",
            digest: D,
        });
        expect(formatReference(parseReference(`localhost/web:v1@${D}`), true)).toBe(`localhost/web@${D}`);
    });

    it("refuses what it cannot pin, saying why", () => {
        expect(() => parseReference("apps/web:v1")).toThrow('"apps" is not a registry host');
        expect(() => parseReference("registry.example.org/apps/web")).toThrow("names neither a tag nor a digest");
        expect(() => parseReference("registry.example.org/web@sha256:abc")).toThrow("sha256:<64 lowercase hex>");
        expect(() => parseReference("registry.example.org/Web:v1")).toThrow('"Web" is not a valid repository name');
    });

    it("derives the cosign / referrers fallback tag", () => {
        expect(digestTag(D, ".sig")).toBe(`sha256-${"ab".repeat(32)}.sig`);
    });
});
