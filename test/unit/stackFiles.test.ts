import { describe, expect, it } from "vitest";
import { validateConfig, formatProblems } from "../../config/validate";
import { readStackFile } from "../support/stackFile";

function parse(stack: string) {
    const result = validateConfig({ entries: readStackFile(stack), stack });
    if (!result.ok) throw new Error(formatProblems(result.problems));
    return result.config;
}

describe("committed stack files", () => {
    it("local: this machine's engine over its unix socket, defaults elsewhere", () => {
        const config = parse("local");
        expect(config.host.endpoint).toBe("unix:///var/run/docker.sock");
        expect(config.host.networkName).toBe("proxy");
        expect(config.proxy.domain).toBe("local.slipway.test");
        expect(config.registry.storage).toEqual({ kind: "filesystem", volume: "registry-data" });
        expect(config.secrets).toEqual({});
    });

    it("gamma: a remote site over SSH whose every secret is encrypted", () => {
        const config = parse("gamma");
        expect(config.host.endpoint).toMatch(/^ssh:\/\//);
        expect(config.host.labels).toEqual({ "slipway.ingress": "true" });
        expect(config.host.workers.map((w) => w.name)).toEqual(["builder-1"]);
        expect(config.registry.storage.kind).toBe("s3");
        expect(config.ci).toMatchObject({ engine: "woodpecker", forgeUrl: "https://git.gamma.slipway.example.org" });
        expect(config.diskImages[0]).toMatchObject({ architectures: ["amd64", "arm64"], retention: 3 });
        expect(config.diskImages[0]!.families).toHaveLength(6);
        expect(Object.keys(config.secrets).sort()).toEqual([
            "ciOAuthClientSecret",
            "registryS3SecretKey",
            "signingKey",
            "signingKeyPassword",
            "sshPrivateKey",
            "tlsPrivateKey",
        ]);
    });

    it("gamma holds no plaintext private key", () => {
        const entries = readStackFile("gamma");
        for (const [key, entry] of Object.entries(entries)) {
            if (!entry.secret) expect(entry.value, key).not.toMatch(/PRIVATE KEY/);
        }
    });
});
