import { describe, expect, it } from "vitest";
import { formatProblems, validateConfig, type RawEntry } from "../../config/validate";

const plain = (value: unknown): RawEntry => ({ value: JSON.stringify(value), secret: false });
const secret = (value: string): RawEntry => ({ value, secret: true });

function problemsOf(entries: Record<string, RawEntry>, stack = "test") {
    const result = validateConfig({ entries, stack });
    if (result.ok) throw new Error("expected the config to be rejected");
    return result.problems;
}

describe("validateConfig", () => {
    it("reports every independent problem at once, each with its fix", () => {
        const problems = problemsOf({
            host: plain({ endpoint: "tcp://10.0.0.1:2375" }),
            proxy: plain({ httpPort: "80" }),
            registry: plain({ storage: { kind: "s3", bucket: "b" } }),
            imagse: plain({}),
        });
        const byKey = Object.fromEntries(problems.map((p) => [p.key, p]));

        expect(Object.keys(byKey).sort()).toEqual([
            "slipway:host.endpoint",
            "slipway:imagse",
            "slipway:proxy.domain",
            "slipway:proxy.httpPort",
            "slipway:registry.storage.accessKeyId",
            "slipway:registry.storage.endpoint",
            "slipway:registry.storage.region",
        ]);
        expect(byKey["slipway:host.endpoint"]!.fix).toBe("pulumi config set --stack test --path host.endpoint ssh://deploy@203.0.113.10");
        expect(byKey["slipway:proxy.domain"]!.problem).toBe("is required");
        expect(byKey["slipway:proxy.httpPort"]!.fix).toBe("pulumi config set --stack test --path --type int proxy.httpPort 80");
        expect(byKey["slipway:imagse"]!.problem).toContain("did you mean `slipway:images`");
        expect(byKey["slipway:imagse"]!.fix).toBe("pulumi config rm --stack test imagse");
    });

    it("requires secrets by what the config uses, and never prints a secret value", () => {
        const problems = problemsOf({
            host: plain({ workers: [{ name: "w1", endpoint: "ssh://deploy@203.0.113.11" }] }),
            proxy: plain({ domain: "example.org", certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }),
            tlsPrivateKey: { value: "-----BEGIN PRIVATE KEY-----TOPSECRET", secret: false },
        });
        const message = formatProblems(problems);

        expect(problems.map((p) => p.key)).toEqual(["slipway:sshPrivateKey", "slipway:tlsPrivateKey", "slipway:host.knownHosts"]);
        expect(problems[0]!.problem).toContain("required because host.workers are joined over SSH");
        expect(problems[0]!.fix).toBe("pulumi config set --stack test --secret sshPrivateKey < ~/.ssh/id_ed25519");
        expect(problems[1]!.problem).toContain("stored in plaintext");
        // Workers' host keys are checked: the fix says how to collect them.
        expect(problems[2]!.fix).toBe("ssh-keyscan 203.0.113.11 > known_hosts && pulumi config set --stack test --path host.knownHosts < known_hosts");
        expect(message).not.toContain("TOPSECRET");
        expect(message).toContain("3 problems");
    });

    it("reports what the platform cannot build or reach with the other problems, in one failure, each with its fix", () => {
        const problems = problemsOf({
            host: plain({ endpoint: "ssh://deploy@203.0.113.10", pruneOlderThanHours: 24 }),
            proxy: plain({ domain: "example.org", certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }),
            registry: plain({ engine: "zot", storage: { kind: "s3", endpoint: "https://s3.example.org", region: "r", bucket: "b", accessKeyId: "k" } }),
            ci: plain({ engine: "drone", forgeUrl: "https://git.example.org" }),
            images: plain({ traefik: `registry.example.org/traefik@sha256:${"a".repeat(64)}` }),
        });
        expect(Object.fromEntries(problems.map((p) => [p.key, p.fix]))).toEqual({
            "slipway:tlsPrivateKey": "pulumi config set --stack test --secret tlsPrivateKey < wildcard.key",
            "slipway:registryS3SecretKey": "pulumi config set --stack test --secret registryS3SecretKey '<secret access key>'",
            "slipway:ciOAuthClientSecret": "pulumi config set --stack test --secret ciOAuthClientSecret '<oauth client secret>'",
            "slipway:registry.engine": "pulumi config set --stack test --path registry.engine distribution",
            "slipway:ci.engine": "pulumi config set --stack test --path ci.engine woodpecker",
            "slipway:ci.oauthClientId": "pulumi config set --stack test --path ci.oauthClientId 0f1e2d3c-client-id",
        });
        const byKey = Object.fromEntries(problems.map((p) => [p.key, p.problem]));
        expect(byKey["slipway:registry.engine"]).toBe('"zot" cannot run here: no version of it can be built from the Go module proxy; use "distribution"');
        expect(byKey["slipway:ci.engine"]).toBe('"drone" cannot run here: no version of it can be built from the Go module proxy; use "woodpecker"');
        // A remote host gets the images assembled here shipped over SSH: nothing to pin, here or there.
        expect(
            validateConfig({
                entries: { proxy: plain({ domain: "example.org" }), host: plain({ endpoint: "ssh://deploy@203.0.113.10", pruneOlderThanHours: 24 }) },
            }).ok,
        ).toBe(true);
    });

    it("a forge needs its OAuth client whatever the engine; ciRunnerToken is no setting any more", () => {
        const problems = problemsOf({
            proxy: plain({ domain: "example.org" }),
            ci: plain({ engine: "gitea-runner", forgeUrl: "https://git.example.org", oauthClientId: "id" }),
            ciRunnerToken: secret("token"),
        });
        expect(problems.map((p) => p.key).sort()).toEqual(["slipway:ci.engine", "slipway:ciOAuthClientSecret", "slipway:ciRunnerToken"]);
        expect(problems.find((p) => p.key === "slipway:ciRunnerToken")).toMatchObject({
            problem: expect.stringContaining("is not a Slipway setting") as unknown,
            fix: "pulumi config rm --stack test ciRunnerToken",
        });
    });

    it("a site signing key signing disk images needs its private key and password as secrets", () => {
        const key = { proxy: plain({ domain: "example.org" }), signing: plain({ publicKey: "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n" }) };
        const node = { diskImages: plain([{ name: "edge", architectures: ["amd64"], families: ["raw"], kernel: { amd64: "6.1.0-56-cloud-amd64" } }]) };
        const problems = problemsOf({ ...key, ...node });
        expect(problems.map((p) => p.key)).toEqual(["slipway:signingKey", "slipway:signingKeyPassword"]);
        expect(problems[0]!.fix).toBe("pulumi config set --stack test --secret signingKey < cosign.key");
        expect(validateConfig({ entries: { ...key, ...node, signingKey: secret("k"), signingKeyPassword: secret("p") }, stack: "test" }).ok).toBe(true);
        // Only verifying promotions with it needs no private half.
        const promotion = plain([
            { name: "web", source: "registry.example.org/apps/web:staging", target: "registry.example.org/apps/web:prod", expectedRevision: "a".repeat(40) },
        ]);
        expect(validateConfig({ entries: { ...key, promotion }, stack: "test" }).ok).toBe(true);
        // With neither, the key would be kept and ignored: refused.
        expect(problemsOf(key).map((p) => p.key)).toEqual(["slipway:signing.publicKey"]);
    });

    it("a promotion that requires a signature needs the site's public key, and says how to give it", () => {
        const promotion = {
            name: "web",
            source: "registry.example.org/apps/web:staging",
            target: "registry.example.org/apps/web:prod",
            expectedRevision: "a".repeat(40),
        };
        const problems = problemsOf({ proxy: plain({ domain: "example.org" }), promotion: plain([promotion]) });
        expect(problems).toEqual([
            {
                key: "slipway:promotion[0].requireSignature",
                problem: "is true but no signing.publicKey says which key the signature must verify with",
                fix: `pulumi config set --stack test --path signing.publicKey < cosign.pub (the public key CI signs with), or pulumi config set --stack test --path --type bool 'promotion[0].requireSignature' false`,
            },
        ]);
        expect(
            validateConfig({
                entries: { proxy: plain({ domain: "example.org" }), promotion: plain([{ ...promotion, requireSignature: false }]) },
                stack: "test",
            }).ok,
        ).toBe(true);
        // A target must be a tag: promotion moves a tag.
        expect(
            problemsOf({
                proxy: plain({ domain: "example.org" }),
                promotion: plain([{ ...promotion, requireSignature: false, target: `registry.example.org/apps/web@sha256:${"b".repeat(64)}` }]),
            })[0],
        ).toMatchObject({ key: "slipway:promotion[0].target", problem: "must be registry/repository:tag" });
    });

    it("rejects an image that is not pinned by digest", () => {
        const problems = problemsOf({ proxy: plain({ domain: "example.org" }), images: plain({ traefik: "traefik:v3.7" }) });
        expect(problems).toHaveLength(1);
        expect(problems[0]!.key).toBe("slipway:images.traefik");
        expect(problems[0]!.problem).toContain("pinned by digest");
    });

    it("turns structured examples into one --path command per leaf", () => {
        const problems = problemsOf({ proxy: plain({ domain: "example.org" }), host: plain({ labels: "ingress" }) });
        expect(problems[0]!.fix).toBe("pulumi config set --stack test --path --type string 'host.labels[\"slipway.ingress\"]' true");
        // A PEM starts with dashes: the fix ends the flags before it, or pulumi reads it as one.
        expect(problemsOf({ proxy: plain({ domain: "example.org", certificate: "not a pem" }) }).find((p) => p.key === "slipway:proxy.certificate")!.fix).toBe(
            "pulumi config set --stack test --path proxy.certificate -- '-----BEGIN CERTIFICATE-----…'",
        );
    });

    it("reports a section set as a plain string instead of structured config", () => {
        const problems = problemsOf({ proxy: { value: "example.org", secret: false } });
        expect(problems).toEqual([
            {
                key: "slipway:proxy",
                problem: expect.stringContaining("structured configuration") as unknown,
                fix: "pulumi config rm --stack test proxy && pulumi config set --stack test --path proxy.domain slipway.example.org",
            },
        ]);
    });

    it("applies the documented defaults to a minimal config", () => {
        const result = validateConfig({ entries: { proxy: plain({ domain: "local.slipway.test" }) } });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.config.host).toEqual({
            endpoint: "unix:///var/run/docker.sock",
            networkName: "proxy",
            labels: { "slipway.ingress": "true" },
            workers: [],
            // A site's data outlives destroy unless the stack says otherwise.
            dataOnDestroy: "retain",
            pruneOlderThanHours: 0,
        });
        expect(result.config.proxy).toMatchObject({ httpPort: 80, httpsPort: 443 });
        expect(result.config.registry).toMatchObject({ engine: "distribution", storage: { kind: "filesystem", volume: "registry-data" }, passwordRotation: 0 });
        expect(result.config.ci).toMatchObject({ engine: "woodpecker", runnerCapacity: 2, runnerLabels: ["disk-image-builder"] });
        expect(result.config.retention).toEqual({ keep: 3, maxDeletes: 100, dryRun: false, protect: [] });
        expect(result.config.secrets).toEqual({});
    });

    it("passes secrets through when they are Pulumi secrets", () => {
        const result = validateConfig({
            entries: {
                host: plain({ workers: [{ name: "w1", endpoint: "ssh://deploy@203.0.113.11" }], knownHosts: "203.0.113.11 ssh-ed25519 AAAA" }),
                proxy: plain({ domain: "example.org" }),
                sshPrivateKey: secret("KEY"),
            },
        });
        expect(result.ok && result.config.secrets.sshPrivateKey).toBe("KEY");
    });
});

describe("settings that act only beside another", () => {
    const base = { proxy: plain({ domain: "example.org" }) };

    it("refuses each, naming what it needs, with the command that removes it", () => {
        const problems = problemsOf({
            ...base,
            proxy: plain({ domain: "example.org", caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }),
            ci: plain({ oauthClientId: "abc" }),
            host: plain({ knownHosts: "203.0.113.11 ssh-ed25519 AAAA" }),
            tlsPrivateKey: secret("KEY"),
            sshPrivateKey: secret("KEY"),
        });
        const byKey = Object.fromEntries(problems.map((p) => [p.key, p]));
        expect(Object.keys(byKey).sort()).toEqual([
            "slipway:ci.oauthClientId",
            "slipway:host.knownHosts",
            "slipway:proxy.caCertificate",
            "slipway:sshPrivateKey",
            "slipway:tlsPrivateKey",
        ]);
        expect(byKey["slipway:proxy.caCertificate"]!.problem).toContain("proxy.certificate, which is not set");
        expect(byKey["slipway:proxy.caCertificate"]!.fix).toBe("pulumi config rm --stack test --path proxy.caCertificate");
        expect(byKey["slipway:tlsPrivateKey"]!.problem).toBe("is set but does nothing in this configuration (Private key of proxy.certificate (PEM))");
        expect(byKey["slipway:tlsPrivateKey"]!.fix).toBe("pulumi config rm --stack test tlsPrivateKey");
        expect(formatProblems(problems)).not.toContain("KEY\n");
    });

    it("accepts each beside what it needs", () => {
        const result = validateConfig({
            entries: {
                proxy: plain({
                    domain: "example.org",
                    certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                    caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                }),
                ci: plain({ forgeUrl: "https://git.example.org", oauthClientId: "abc" }),
                ciOAuthClientSecret: secret("S"),
                tlsPrivateKey: secret("KEY"),
            },
        });
        expect(result.ok).toBe(true);
    });
});
