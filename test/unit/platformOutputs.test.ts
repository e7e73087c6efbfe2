import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTPUTS_VERSION, PLATFORM_OUTPUT_KEYS, parsePlatformOutputs, type PlatformOutputs } from "../../lib/outputs/schema";
import type { stackOutputs } from "../../components/stackOutputs";

/** The keys the program exports. */
type Exported = keyof ReturnType<typeof stackOutputs>;

const D = `sha256:${"a".repeat(64)}`;
const produced = {
    outputsVersion: OUTPUTS_VERSION,
    proxyNetwork: "proxy",
    nodeLabels: { "slipway.ingress": "true" },
    proxyPingUrl: "https://proxy.example.org/ping",
    proxyDomain: "example.org",
    proxyRouteLabels: { "slipway.routed-by": "gamma" },
    registryHost: "registry.example.org",
    registryUsername: "slipway",
    registryPassword: "secret",
    ciUrl: "https://ci.example.org",
    ciMetricsToken: "token",
    diskImagePublications: {
        "edge/iso/amd64": {
            ref: `registry.example.org/disk-images/edge/iso@${D}`,
            indexRef: `registry.example.org/disk-images/edge/iso@${D}`,
            gitSha: "b".repeat(40),
            builtAt: "2026-11-22T00:00:00.000Z",
            signer: "key:x",
            size: 1,
            sha256: "c".repeat(64),
        },
    },
};

describe("platform outputs for other stacks", () => {
    it("the schema names exactly what the program exports, so producer and readers cannot drift", () => {
        // At compile time: both directions, by type.
        const sameKeys: [Exported] extends [keyof PlatformOutputs] ? ([keyof PlatformOutputs] extends [Exported] ? true : false) : false = true;
        expect(sameKeys).toBe(true);
        // And as the program runs: its export is stackOutputs' record, every key of it.
        expect(readFileSync(join(__dirname, "..", "..", "program.ts"), "utf8")).toMatch(/^export = stackOutputs\(platform, config\);$/m);
        const exported = [...readFileSync(join(__dirname, "..", "..", "components", "stackOutputs.ts"), "utf8").matchAll(/^ {8}(\w+): /gm)].map((m) => m[1]);
        expect([...PLATFORM_OUTPUT_KEYS].sort()).toEqual(exported.sort());
    });

    it("reads a current producer, typed, with defaults for what a platform without disk images leaves out", () => {
        const withoutImages: Record<string, unknown> = { ...produced };
        delete withoutImages.diskImagePublications;
        expect(parsePlatformOutputs("org/slipway/gamma", produced).diskImagePublications["edge/iso/amd64"]!.size).toBe(1);
        expect(parsePlatformOutputs("org/slipway/gamma", withoutImages).diskImageCurrent).toEqual({});
        expect(parsePlatformOutputs("org/slipway/gamma", withoutImages).promotions).toEqual({});
    });

    it("names every missing or malformed key and the fix when the producer is older or not deployed", () => {
        const old: Record<string, unknown> = { ...produced };
        delete old.ciUrl;
        delete old.outputsVersion;
        expect(() => parsePlatformOutputs("org/slipway/gamma", { ...old, registryHost: "" })).toThrow(
            /stack org\/slipway\/gamma does not export what a Slipway platform exports \(it exports no outputsVersion: .*run `pulumi up` in org\/slipway\/gamma\):\n {2}- outputsVersion: missing\n {2}- registryHost: .*\n {2}- ciUrl: missing/,
        );
        expect(() => parsePlatformOutputs("org/slipway/gamma", {})).toThrow(/- proxyNetwork: missing/);
    });

    it("refuses a producer newer than this reader", () => {
        expect(() => parsePlatformOutputs("org/slipway/gamma", { ...produced, outputsVersion: OUTPUTS_VERSION + 1 })).toThrow(
            /newer than this reader understands .*update Slipway in this project/,
        );
    });
});
