import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bump, type Lock, type Resolvers } from "../../tooling/toolchain/lock";

const lock = JSON.parse(readFileSync(join(__dirname, "../../toolchain.lock.json"), "utf8")) as Lock;

const served = (modules: Record<string, string>, npm: string[] = []): Resolvers => ({
    goModuleSum: (m, v) => (modules[`${m}@${v}`] ? Promise.resolve(modules[`${m}@${v}`]!) : Promise.reject(new Error(`not served: ${m}@${v}`))),
    npmVersionExists: (p, v) => Promise.resolve(npm.includes(`${p}@${v}`)),
});

describe("bump", () => {
    it("moves a tool and the modules released with it, and says what follows", async () => {
        const resolvers = served({ "github.com/pulumi/pulumi/pkg/v3@v3.250.0": "h1:pkg", "github.com/pulumi/pulumi/sdk/v3@v3.250.0": "h1:sdk" }, [
            "@pulumi/pulumi@3.250.0",
        ]);
        const { lock: next, followUps } = await bump(lock, "pulumi", "3.250.0", resolvers);
        expect(next.tools.pulumi).toMatchObject({ version: "3.250.0", moduleVersion: "v3.250.0", sum: "h1:pkg" });
        expect(next.tools.pulumi!.extraModules).toEqual([{ module: "github.com/pulumi/pulumi/sdk/v3", moduleVersion: "v3.250.0", sum: "h1:sdk" }]);
        expect(followUps[0]).toBe("npm install --save-exact @pulumi/pulumi@3.250.0");
        expect(next.tools["pulumi-language-nodejs"]).toEqual(lock.tools["pulumi-language-nodejs"]);
    });

    it("keeps extra modules that were not released with the tool", async () => {
        const resolvers = served({ "github.com/pulumi/pulumi-command/provider@v0.0.0-20250101000000-abcdefabcdef": "h1:new" }, ["@pulumi/command@0.9.3"]);
        const { lock: next } = await bump(lock, "pulumi-resource-command", "0.9.3", resolvers, "v0.0.0-20250101000000-abcdefabcdef");
        expect(next.tools["pulumi-resource-command"]!.extraModules).toEqual(lock.tools["pulumi-resource-command"]!.extraModules);
    });

    it("refuses a version the npm SDK does not have, before asking the Go proxy", async () => {
        await expect(bump(lock, "pulumi", "3.250.0", served({}))).rejects.toThrow("the npm registry has no @pulumi/pulumi@3.250.0");
    });

    it("refuses a module version the proxy does not serve", async () => {
        await expect(bump(lock, "pulumi", "3.249.0", served({}, ["@pulumi/pulumi@3.249.0"]))).rejects.toThrow(
            "not served: github.com/pulumi/pulumi/pkg/v3@v3.249.0",
        );
    });

    it("names the tools when the tool is unknown, and rejects a non-version", async () => {
        await expect(bump(lock, "pulumni", "1.0.0", served({}))).rejects.toThrow(/pulumni is not in toolchain.lock.json \(tools: node, .*pulumi/);
        await expect(bump(lock, "pulumi", "latest", served({}))).rejects.toThrow('"latest" is not a version');
    });
});
