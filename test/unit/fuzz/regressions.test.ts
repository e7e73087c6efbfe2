// The bugs the fuzz targets found, each as the (shrunk) input that showed it. Every test here
// failed before its fix: an uncaught TypeError or SyntaxError, unbounded work, or an accept.
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { SignatureVerificationError, verifyLegacy } from "../../../lib/cosign/verifyImage";
import { RegistryClient } from "../../../lib/oci/client";
import { RegistryError, registryErrorCode } from "../../../lib/oci/errors";
import { MalformedContentError, nextPage, parseTagList } from "../../../lib/oci/parse";
import { parseReference, parseRepository } from "../../../lib/oci/reference";
import { validateConfig } from "../../../config/validate";
import { forgeContext } from "../../../tooling/preview/forgeContext";
import { CREATED, createdKey, planRetention, type Publication } from "../../../lib/retention/plan";
import { checkTrustedRoot, parseTrustedRoot, TrustedRootError, type TrustedRootJson } from "../../../lib/sigstore/trustedRoot";
import { verificationTrees } from "../../fuzz/targets/cosign";
import { promotionTrees } from "../../fuzz/targets/promotion";

describe("forge event body (preview:post)", () => {
    const env = { GITHUB_ACTIONS: "true", GITHUB_API_URL: "https://api.github.com", GITHUB_REPOSITORY: "acme/site", GITHUB_EVENT_PATH: "/run/event.json" };
    it("an event that is JSON null, or a list, has no pull request (was: TypeError reading 'pull_request' of null)", () => {
        for (const body of ["null", "[1]", '{"pull_request":null}'])
            expect(() => forgeContext(env, () => body)).toThrow(/cannot tell where to post the preview[\s\S]*no pull_request.number/);
    });
    it("a number past 2^53 is no pull request number (was: accepted, then posted to the wrong one)", () => {
        expect(() => forgeContext(env, () => '{"pull_request":{"number":9007199254740993}}')).toThrow(/no pull_request.number/);
        expect(() => forgeContext(env, () => '{"pull_request":{"number":1.7976931348623157e308}}')).toThrow(/no pull_request.number/);
    });
});

describe("stack config", () => {
    it("a worker endpoint whose port or host the URL parser refuses is reported, not thrown (was: TypeError: Invalid URL)", () => {
        for (const endpoint of ["ssh://deploy@Zw1.example.org:99999", "ssh://root@w1.e]xample.org:2222", "ssh://deploy@a<b"]) {
            const result = validateConfig({
                entries: {
                    host: { value: JSON.stringify({ workers: [{ name: "w1", endpoint }] }), secret: false },
                    proxy: { value: '{"domain":"example.org"}', secret: false },
                },
                stack: "s",
            });
            expect(result.ok).toBe(false);
        }
    });
});

describe("simple-signing payload (the legacy .sig layer)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const signed = (text: string) => ({ payload: Buffer.from(text), signature: sign("sha256", Buffer.from(text), privateKey).toString("base64") });
    const digest = `sha256:${"3".repeat(64)}`;
    it("a signed payload that is not JSON, or JSON null, is refused with a typed error (was: SyntaxError, TypeError)", () => {
        for (const text of ["", "null", '{"critical":null}', '{"critical":{"image":7}}']) {
            expect(() => verifyLegacy(signed(text), digest, { publicKey: pem })).toThrow(SignatureVerificationError);
        }
    });
    it("a payload naming the digest still verifies", () => {
        expect(verifyLegacy(signed(JSON.stringify({ critical: { image: { "docker-manifest-digest": digest } } })), digest, { publicKey: pem }).signer).toMatch(
            /^key:/,
        );
    });
});

describe("index trees listing one child many times (verification and promotion)", () => {
    // depth 4, each index listing its child 40 times: 40^4 = 2,560,000 walks before the fix.
    it("verifyImage walks each manifest once per depth (was: over the fake registry's 20,000-request budget)", async () => {
        type Node = Parameters<typeof verificationTrees.run>[0];
        let tree: Node = { kind: "image", sig: "good" };
        for (let i = 0; i < 4; i++) tree = { kind: "index", sig: "good", children: [{ node: tree, repeat: 40 }] };
        expect(await verificationTrees.run(tree)).toEqual({ accept: "every manifest signed" });
    });
    it("promote reads each manifest once (was: over the budget)", async () => {
        type Node = Parameters<typeof promotionTrees.run>[0];
        let tree: Node = { kind: "image", label: "good" };
        for (let i = 0; i < 4; i++) tree = { kind: "index", children: [{ node: tree, platform: "linux/amd64", annotate: "none", sibling: 0, repeat: 40 }] };
        expect(await promotionTrees.run(tree)).toEqual({ accept: "an index tree" });
    });
});

describe("revision label: attestation manifests", () => {
    it("a descriptor marked as an attestation but without a platform is label-checked (was: promoted unlabelled; containerd pulls platform-less descriptors for any platform)", async () => {
        const tree = {
            kind: "index" as const,
            children: [
                {
                    node: { kind: "image" as const, label: "good" as const },
                    platform: "linux/amd64" as const,
                    annotate: "none" as const,
                    sibling: 0,
                    repeat: 1,
                },
                {
                    node: { kind: "image" as const, label: "missing" as const },
                    platform: "none" as const,
                    annotate: "attestation-of-sibling" as const,
                    sibling: 0,
                    repeat: 1,
                },
            ],
        };
        await expect(promotionTrees.run(tree)).rejects.toThrow(/carries no org.opencontainers.image.revision label/);
    });
});

describe("registry answers", () => {
    it("a tag list entry outside the tag grammar is refused (was: listed, and `../` tags become request paths)", () => {
        for (const tag of ["../../other/manifests/sha256-x", "a/b", "", "v1\u0000"])
            expect(() => parseTagList(Buffer.from(JSON.stringify({ tags: ["v1", tag] })))).toThrow(MalformedContentError);
        expect(parseTagList(Buffer.from('{"tags":["v1","sha256-abc.sig","_x.y-z"]}'))).toEqual(["v1", "sha256-abc.sig", "_x.y-z"]);
    });
    it("an error body's code or message that is not a string is not read (was: a number or object became RegistryError.code)", () => {
        expect(registryErrorCode('{"errors":[{"code":5,"message":{"a":1}}]}')).toEqual({});
        expect(registryErrorCode('{"errors":[{"message":1e308}]}')).toEqual({});
        expect(registryErrorCode('{"errors":[{"code":"DENIED","message":"no"}]}')).toEqual({ code: "DENIED", message: "no" });
    });
    it("a tag list's next page on another origin, or not a URL, is refused", () => {
        const page = new URL("http://127.0.0.1:5000/v2/a/tags/list?n=1");
        expect(nextPage('</v2/a/tags/list?n=1&last=v1>; rel="next"', page)?.href).toBe("http://127.0.0.1:5000/v2/a/tags/list?n=1&last=v1");
        for (const link of ['<https://evil.example/v2/a/tags/list>; rel="next"', "<//evil.example/x>; rel=next", '<http://[>; rel="next"'])
            expect(() => nextPage(link, page)).toThrow(MalformedContentError);
    });
});

describe("the registry client over a registry that misleads (loopback)", () => {
    const servers: Server[] = [];
    afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));
    const serve = (handler: Parameters<typeof createServer>[1]) =>
        new Promise<string>((resolve) => {
            const server = createServer(handler);
            servers.push(server);
            server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as { port: number }).port}`));
        });

    it("never follows a tag list's Link to another origin, so the credentials stay home (was: sent them there)", async () => {
        const seenElsewhere: Array<string | undefined> = [];
        const elsewhere = await serve((req, res) => {
            seenElsewhere.push(req.headers.authorization);
            res.writeHead(200, { "content-type": "application/json" }).end('{"tags":["stolen"]}');
        });
        const registry = await serve((req, res) => {
            if (!req.headers.authorization) return void res.writeHead(401, { "www-authenticate": 'Basic realm="r"' }).end();
            res.writeHead(200, { "content-type": "application/json", link: `<http://${elsewhere}/v2/a/tags/list>; rel="next"` }).end('{"tags":["v1"]}');
        });
        const client = new RegistryClient({ registry, scheme: "http", credentials: { username: "ci", password: "s3cret" }, maxRetries: 0 });
        await expect(client.listTags("a")).rejects.toThrow(RegistryError);
        client.close();
        expect(seenElsewhere).toEqual([]);
    });

    it("stops a tag list whose pages link back to themselves (was: listed forever)", async () => {
        const registry = await serve((_req, res) =>
            res.writeHead(200, { "content-type": "application/json", link: '</v2/a/tags/list?n=1000>; rel="next"' }).end('{"tags":["v1"]}'),
        );
        const client = new RegistryClient({ registry, scheme: "http", credentials: null, maxRetries: 0 });
        await expect(client.listTags("a")).rejects.toThrow(/pages loop/);
        client.close();
    });

    it("an upload Location that is not a URL is a RegistryError (was: TypeError: Invalid URL)", async () => {
        const registry = await serve((req, res) => (req.method === "HEAD" ? res.writeHead(404).end() : res.writeHead(202, { location: "http://[" }).end()));
        const client = new RegistryClient({ registry, scheme: "http", credentials: null, maxRetries: 0 });
        await expect(client.pushBlob("a", Buffer.from("x"))).rejects.toThrow(RegistryError);
        client.close();
    });
});

describe("image references", () => {
    it("a registry host must be a host (was: control characters, spaces, '+', '>' accepted)", () => {
        for (const text of [
            "\u0000registry.example.org/apps/web:staging",
            "registry.e>pllK.org/apps/web:staging",
            "ghcr.iwJ\r/owner/repo:tag-1",
            "registry+.example.org/apps/web:staging",
            "a b.c/x:1",
            "h.org:99999/x:1",
        ]) {
            expect(() => parseReference(text)).toThrow(/is not an image reference/);
        }
        expect(() => parseRepository("127.0.0.1:5000a..b/registry.example.org")).toThrow(/is not an image reference|is not a repository/);
        expect(parseReference("[::1]:5000/x__y/z--w:latest")).toEqual({ registry: "[::1]:5000", repository: "x__y/z--w", tag: "latest" });
    });
});

describe("trusted roots", () => {
    it("a root whose lists are not lists of objects is a TrustedRootError (was: TypeError: logs is not iterable)", () => {
        for (const root of [{ tlogs: 5 }, { tlogs: [null] }, { ctlogs: "x" }, null, []] as unknown as TrustedRootJson[])
            expect(() => checkTrustedRoot(root)).toThrow(TrustedRootError);
        expect(() => parseTrustedRoot("{")).toThrow(TrustedRootError);
    });
});

describe("retention creation times (RFC 3339)", () => {
    const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
    const pub = (n: number, created: string | undefined, children: string[] = []): Publication => ({
        digest: d(n),
        annotations: { f: "raw", ...(created !== undefined ? { [CREATED]: created } : {}) },
        children,
        referrers: [],
        blobs: [],
        tags: [[`t${n}`, d(n)]],
    });

    it("orders by the instant, not the text: offsets, fractions, lower case (was: '…00.005Z' older than '…00Z', '+05:30' newer than 'Z')", () => {
        expect(createdKey("2026-11-20T00:00:00.005Z")! > createdKey("2026-11-20T00:00:00Z")!).toBe(true);
        expect(createdKey("2026-11-20t05:30:00+05:30")).toBe(createdKey("2026-11-20T00:00:00Z"));
        const plan = planRetention([pub(1, "2026-11-20T00:00:00Z"), pub(2, "2026-11-20T00:00:00.005Z"), pub(3, "2026-11-20T05:00:00+05:30")], {
            groupBy: ["f"],
            keep: 1,
        });
        expect(plan.groups[0]!.kept).toEqual([d(2)]);
    });

    it("a creation annotation that names no instant is kept, never judged old (was: 'garbage' or '2026-11-20' sorted as text)", () => {
        for (const t of ["garbage", "2026-11-20", "2026-13-45T99:99:99Z", "2026-02-30T00:00:00Z", " "]) expect(createdKey(t)).toBeUndefined();
        const plan = planRetention([pub(1, "2026-11-20T00:00:00Z"), pub(2, "2026-11-21T00:00:00Z"), pub(3, "2026-11-20")], { groupBy: ["f"], keep: 1 });
        expect(plan.unordered).toEqual([d(3)]);
        expect(plan.deletions).toEqual([d(1)]);
    });

    it("a deferred publication keeps a child an older deleted one shares (was: deleted, the deferred index left naming it)", () => {
        // 4 is a tagged child of 5; both are old; maxDeletes 1 plans 4 and defers 5.
        const plan = planRetention(
            [pub(4, "2026-11-01T00:00:00Z"), pub(5, "2026-11-02T00:00:00Z", [d(4)]), pub(6, "2026-11-03T00:00:00Z"), pub(7, "2026-11-04T00:00:00Z")],
            { groupBy: ["f"], keep: 2, maxDeletes: 1 },
        );
        expect(plan.deferred).toEqual([d(5)]);
        expect(plan.deletions).not.toContain(d(4));
    });

    it("a kept index keeps what a tagged index it lists lists (was: the inner index's children deleted)", () => {
        const plan = planRetention([pub(1, "2026-11-01T00:00:00Z"), pub(2, "2026-11-01T00:00:00Z", [d(1)]), pub(3, "2026-11-02T00:00:00Z", [d(2)])], {
            groupBy: ["f"],
            keep: 1,
        });
        expect(plan.groups[0]!.kept).toEqual([d(3)]);
        expect(plan.deletions).toEqual([]);
    });
});
