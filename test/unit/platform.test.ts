import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { Platform } from "../../components/platform";
import { promiseOf, recordResources, setStackConfig, type RecordedResource } from "../support/mocks";
import { readStackFile } from "../support/stackFile";

describe("Platform wiring", () => {
    let recorded: RecordedResource[];
    // Mocks once per file: resetting them between tests would orphan registrations still in flight.
    beforeAll(async () => {
        recorded = await recordResources("gamma");
    });
    beforeEach(() => {
        recorded.length = 0;
    });

    it("builds the gamma site's swarm host from its stack file", async () => {
        setStackConfig(readStackFile("gamma"));
        const platform = new Platform("slipway", { config: loadConfig() });
        expect(await promiseOf(platform.host.networkName)).toBe("proxy");

        const byType = (type: string) => recorded.filter((r) => r.type === type);
        expect(byType("pulumi-nodejs:dynamic/slipway:SwarmNetwork")[0]!.inputs).toMatchObject({
            endpoint: "ssh://deploy@203.0.113.10",
            name: "proxy",
            driver: "overlay",
            attachable: true,
            labels: { "slipway.stack": "gamma", "slipway.role": "proxy" },
        });
        const labels = byType("command:local:Command");
        expect(labels.map((r) => r.name)).toEqual(["slipway-host-label-slipway.ingress"]);
        expect(labels[0]!.inputs.create).toContain("--label-add slipway.ingress=true");
        expect(labels[0]!.inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@203.0.113.10" });
    });

    it("hands secrets on only as secret outputs", async () => {
        setStackConfig({ ...readStackFile("local"), sshPrivateKey: { value: "KEY", secret: true } });
        const config = loadConfig();
        expect(pulumi.Output.isInstance(config.secrets.sshPrivateKey)).toBe(true);
        expect(await pulumi.isSecret(config.secrets.sshPrivateKey!)).toBe(true);
    });

    it("fails once, with every problem, before any resource is declared", () => {
        setStackConfig({
            host: { value: JSON.stringify({ endpoint: "tcp://h:2375" }), secret: false },
            tlsPrivateKey: { value: "PLAINTEXT-KEY", secret: false },
        });
        let error: unknown;
        try {
            loadConfig();
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(pulumi.RunError);
        const message = (error as Error).message;
        expect(message).toContain("3 problems");
        expect(message).toContain("slipway:host.endpoint");
        expect(message).toContain("slipway:proxy.domain is required");
        expect(message).toContain("slipway:tlsPrivateKey is stored in plaintext");
        expect(message).toContain("--stack gamma");
        expect(message).not.toContain("PLAINTEXT-KEY");
        expect(recorded).toEqual([]);
    });
});
