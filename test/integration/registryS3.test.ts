// The platform registry on S3-compatible storage, for real: distribution runs the configuration
// OciRegistry deploys (renderRegistryConfig with `registry.storage.kind: s3`), against an S3
// server on loopback (gofakes3, which checks no S3 signatures: the key's use is not tested here).
// Pushes land as objects in the bucket, pulls read them back byte for byte, htpasswd auth holds,
// and a delete (what retention does) leaves the bucket's index.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../lib/oci/client";
import { issueRegistryCredentials, type RegistryCredentials } from "../../lib/registry/credentials";
import { renderRegistryConfig } from "../../lib/registry/registryConfig";
import { must } from "../support/exec";
import { pushImage } from "../support/images";
import { startRegistry, type RunningRegistry } from "../support/registries";
import { startS3, type RunningS3 } from "../support/s3";

describe("the platform registry on S3-compatible storage", () => {
    let s3: RunningS3;
    let registry: RunningRegistry;
    let credentials: RegistryCredentials;
    let client: RegistryClient;

    // The platform's render, with the test's scratch paths and a loopback listener.
    const platformConfig = (host: string, dir: string) => {
        writeFileSync(join(dir, "htpasswd"), `${credentials.htpasswd}\n`);
        const rendered = JSON.parse(
            renderRegistryConfig({
                htpasswdPath: join(dir, "htpasswd"),
                httpSecret: credentials.httpSecret,
                storage: {
                    kind: "s3",
                    endpoint: s3.endpoint,
                    region: "us-east-1",
                    bucket: s3.bucket,
                    accessKeyId: "slipway-test",
                    secretKey: "s3-secret-of-the-test",
                },
            }),
        ) as { http: { addr: string }; health?: unknown };
        return JSON.stringify({ ...rendered, http: { ...rendered.http, addr: host } });
    };

    beforeAll(async () => {
        s3 = await startS3();
        credentials = await issueRegistryCredentials("slipway");
        registry = await startRegistry("distribution", { config: platformConfig });
        client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: { username: "slipway", password: credentials.password } });
    });
    afterAll(async () => {
        client?.close();
        await registry?.stop();
        await s3?.stop();
    });

    it("stores a pushed image as objects in the bucket and serves it back, to a client nobody here wrote too", async () => {
        const image = await pushImage(client, "apps/web", "v1", "kept in s3");
        const blobs = await s3.keys("docker/registry/v2/blobs/sha256/");
        expect(blobs.some((k) => k.includes(image.digest.slice(7)))).toBe(true);
        expect(await s3.keys("docker/registry/v2/repositories/apps/web/_manifests/tags/v1/")).not.toEqual([]);
        expect(await client.resolve("apps/web", "v1")).toBe(image.digest);
        const raw = await must("skopeo", [
            "inspect",
            "--raw",
            "--tls-verify=false",
            "--creds",
            `slipway:${credentials.password}`,
            `docker://${registry.host}/apps/web:v1`,
        ]);
        expect(Buffer.from(raw).equals(image.bytes)).toBe(true);
    });

    it("keeps htpasswd auth in front of the bucket", async () => {
        const anonymous = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
        try {
            await expect(anonymous.resolve("apps/web", "v1")).rejects.toMatchObject({ status: 401 });
        } finally {
            anonymous.close();
        }
    });

    it("deletes a manifest by digest (what retention does) from the bucket's index", async () => {
        const doomed = await pushImage(client, "apps/web", "v2", "deleted from s3");
        await client.deleteManifest("apps/web", doomed.digest);
        await expect(client.resolve("apps/web", "v2")).rejects.toMatchObject({ notFound: true });
        expect(await s3.keys(`docker/registry/v2/repositories/apps/web/_manifests/revisions/sha256/${doomed.digest.slice(7)}/`)).toEqual([]);
    });
});
