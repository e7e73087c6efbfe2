// Every resource the program declares hangs under the Platform: a child created without
// `{ parent: this }` would sit at the stack's root, outside its component in every preview, and
// move (a new URN: a replacement) the day someone adds the parent. Checked on the URNs the
// engine is given, for each stack file Slipway ships.
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { Platform } from "../../components/platform";
import { imagePlan } from "../../lib/images/plan";
import { recordResources, setStackConfig, settled } from "../support/mocks";
import { readStackFile } from "../support/stackFile";
import { DISK_INPUTS, imageOf } from "../support/platformFixtures";

/** The URNs the mock engine has registered so far. */
function registeredUrns(): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { getRegisteredResources(): Map<string, unknown> } };
    return [...settings.getMonitor().getRegisteredResources().keys()];
}

describe("the resource tree", () => {
    beforeAll(async () => {
        await recordResources("parents");
    });

    it.each(["gamma", "local"])("the %s stack has one root, the Platform: every other resource has a parent", async (stack) => {
        const file = readStackFile(stack);
        const registry = JSON.parse(file.registry?.value ?? "{}") as Record<string, unknown>;
        const from = `upstream.example.org/library/alpine:3.20@sha256:${"1".repeat(64)}`;
        setStackConfig({
            ...file,
            registry: { value: JSON.stringify({ ...registry, repositories: ["apps/web"], mirrors: [{ from, to: "mirror/alpine" }] }), secret: false },
        });
        const config = loadConfig();
        const before = new Set(registeredUrns());
        // Named per stack, so each test sees only its own URNs.
        new Platform(`slipway-${stack}`, { config, images: imagePlan(config, imageOf), diskImageInputs: DISK_INPUTS });
        await settled();
        // A URN's type is `<parent's type>$<type>` for a child and the bare type for a root: the
        // Platform must be the only root, so every other resource descends from it.
        const types = registeredUrns()
            .filter((urn) => !before.has(urn))
            .map((urn) => urn.split("::")[2]!);
        expect(types.length).toBeGreaterThan(30);
        expect(types.filter((type) => !type.includes("$"))).toEqual(["slipway:index:Platform"]);
    });
});
