import { beforeAll, describe, expect, it } from "vitest";
import { SWARM_NETWORK_PROVIDER_VERSION, SwarmNetwork, swarmNetworkProvider } from "../../dynamic-providers/swarmNetwork";
import { promiseOf, recordResources, type RecordedResource } from "../support/mocks";

describe("SwarmNetwork", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = await recordResources();
    });

    it("constructs, its URN resolves, and its inputs are recorded", async () => {
        const network = new SwarmNetwork("n", { endpoint: "unix:///var/run/docker.sock", name: "proxy", labels: { a: "b" } });
        expect(await promiseOf(network.urn)).toBe("urn:pulumi:test::slipway::pulumi-nodejs:dynamic/slipway:SwarmNetwork::n");
        const inputs = recorded.find((r) => r.name === "n")!.inputs;
        expect(inputs).toMatchObject({ driver: "overlay", attachable: true, labels: { a: "b" }, version: SWARM_NETWORK_PROVIDER_VERSION });
        // The provider loads lib at call time: its serialized text must not carry lib's code.
        expect(String(inputs.__provider)).not.toContain("network inspect");
        expect(String(inputs.__provider).length).toBeLessThan(20_000);
    });

    it("check names what is wrong with a bad name", async () => {
        const result = await swarmNetworkProvider.check!({} as never, {
            endpoint: "",
            name: "bad name",
            driver: "overlay",
            attachable: true,
            labels: {},
            version: "1",
        });
        expect(result.failures?.map((f) => f.property)).toEqual(["name", "endpoint"]);
    });

    it("diff replaces on any identity change, updates in place only for the provider version", async () => {
        const base = { endpoint: "unix:///s", name: "proxy", driver: "overlay", attachable: true, labels: { a: "1" }, version: "1" };
        const diff = (news: Partial<typeof base>) => swarmNetworkProvider.diff!("id", { ...base, scope: "swarm" }, { ...base, ...news });
        expect(await diff({})).toMatchObject({ changes: false, replaces: [] });
        expect(await diff({ labels: { a: "2" } })).toMatchObject({ changes: true, replaces: ["labels"], deleteBeforeReplace: true });
        expect(await diff({ name: "other" })).toMatchObject({ changes: true, replaces: ["name"] });
        expect(await diff({ version: "2" })).toMatchObject({ changes: true, replaces: [] });
    });
});
