// The registry-entry providers' wiring: they construct (their serialized code resolves), take
// no credential as input, and diff as the lifecycle needs: a pin or repository change, a new
// provider version, or an entry found gone by refresh is an update; a new target replaces.
import { beforeAll, describe, expect, it } from "vitest";
import { REGISTRY_MIRROR_PROVIDER_VERSION, RegistryMirror, registryMirrorProvider } from "../../dynamic-providers/registryMirror";
import { REGISTRY_REPOSITORY_PROVIDER_VERSION, RegistryRepository, registryRepositoryProvider } from "../../dynamic-providers/registryRepository";
import { promiseOf, recordResources, type RecordedResource } from "../support/mocks";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("RegistryRepository", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("constructs, its URN resolves, and its inputs are recorded", async () => {
        const r = new RegistryRepository("web", { repository: "registry.example.org/apps/web", connection: { credentialsDir: "registry-auth/x" } });
        expect(await promiseOf(r.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:RegistryRepository::web");
        const inputs = recorded.find((x) => x.name === "web")!.inputs;
        expect(inputs).toMatchObject({
            repository: "registry.example.org/apps/web",
            connection: { credentialsDir: "registry-auth/x" },
            version: REGISTRY_REPOSITORY_PROVIDER_VERSION,
        });
        // lib is loaded at call time: the serialized provider carries none of its code.
        expect(String(inputs.__provider)).not.toContain("slipway-repository");
    });

    it("check refuses a tag or digest where a repository belongs", async () => {
        for (const repository of ["registry.example.org/apps/web:v1", `registry.example.org/apps/web@${DIGEST}`]) {
            const result = await registryRepositoryProvider.check!({} as never, { repository, connection: {}, version: "1" });
            expect(result.failures?.map((f) => f.property)).toEqual(["repository"]);
        }
        const ok = await registryRepositoryProvider.check!({} as never, { repository: "registry.example.org:5000/apps/web", connection: {}, version: "1" });
        expect(ok.failures).toEqual([]);
    });

    it("diff: nothing for the same declaration, an update for a marker found gone or a new version, a replacement for another repository", async () => {
        const base = { repository: "r.example.org/apps/web", connection: { credentialsDir: "d" }, version: "1" };
        const diff = (olds: Partial<typeof base & { digest: string }>, news: Partial<typeof base> = {}) =>
            registryRepositoryProvider.diff!("id", { ...base, digest: DIGEST, ...olds }, { ...base, ...news });
        expect(await diff({})).toMatchObject({ changes: false, replaces: [] });
        expect(await diff({ digest: "" })).toMatchObject({ changes: true, replaces: [] });
        expect(await diff({}, { version: "2" })).toMatchObject({ changes: true, replaces: [] });
        expect(await diff({}, { repository: "r.example.org/apps/api" })).toMatchObject({ changes: true, replaces: ["repository"] });
        // A new login folder (a password rotation) is not a change of the declaration.
        expect(await diff({}, { connection: { credentialsDir: "other" } })).toMatchObject({ changes: false });
    });
});

describe("RegistryMirror", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("constructs, its URN resolves, and its inputs are recorded", async () => {
        const m = new RegistryMirror("alpine", {
            from: `docker.io/library/alpine:3.20@${DIGEST}`,
            to: "registry.example.org/mirror/alpine",
            connection: { credentialsDir: "registry-auth/x" },
        });
        expect(await promiseOf(m.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:RegistryMirror::alpine");
        expect(recorded.find((x) => x.name === "alpine")!.inputs).toMatchObject({
            from: `docker.io/library/alpine:3.20@${DIGEST}`,
            version: REGISTRY_MIRROR_PROVIDER_VERSION,
        });
    });

    it("check refuses an unpinned source and a target with a tag", async () => {
        const result = await registryMirrorProvider.check!({} as never, {
            from: "docker.io/library/alpine:3.20",
            to: "registry.example.org/mirror/alpine:3.20",
            connection: {},
            version: "1",
        });
        expect(result.failures?.map((f) => f.property)).toEqual(["from", "to"]);
    });

    it("diff: a new pin is copied in place, a new target replaces, a mirror found gone is copied again", async () => {
        const base = { from: `docker.io/library/alpine@${DIGEST}`, to: "r.example.org/mirror/alpine", connection: {}, version: "1" };
        const outs = { ...base, digest: DIGEST, ref: `r.example.org/mirror/alpine@${DIGEST}`, mirroredAt: "2026-12-01T00:00:00Z" };
        const diff = (olds: Partial<typeof outs>, news: Partial<typeof base> = {}) =>
            registryMirrorProvider.diff!("id", { ...outs, ...olds }, { ...base, ...news });
        expect(await diff({})).toMatchObject({ changes: false, replaces: [] });
        expect(await diff({}, { from: `docker.io/library/alpine@sha256:${"b".repeat(64)}` })).toMatchObject({ changes: true, replaces: [] });
        expect(await diff({}, { to: "r.example.org/mirror/other" })).toMatchObject({ changes: true, replaces: ["to"] });
        expect(await diff({ digest: "" })).toMatchObject({ changes: true, replaces: [] });
    });
});
