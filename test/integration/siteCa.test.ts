// The site-CA file every Go service mounts (lib/docker/siteCa SITE_CA_PATH): a swarm
// config, which swarm refuses empty, so a site without a private CA gets a line saying so.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { siteCaFile } from "../../lib/docker/siteCa";
import { docker } from "../support/exec";

function configCreate(name: string, content: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", ["config", "create", name, "-"], { stdio: ["pipe", "ignore", "ignore"] });
        child.on("error", reject);
        child.on("exit", (code) => resolve(code ?? -1));
        child.stdin.end(content);
    });
}

describe("the site-CA config", () => {
    it("swarm refuses an empty config, and takes the one a site without a private CA gets", async () => {
        const name = `slipway-it-site-ca-${randomBytes(3).toString("hex")}`;
        expect(await configCreate(`${name}-empty`, "")).not.toBe(0);
        expect(siteCaFile(undefined)).not.toBe("");
        try {
            expect(await configCreate(name, siteCaFile(undefined))).toBe(0);
        } finally {
            await docker("config", "rm", name).catch(() => undefined);
        }
        const pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        expect(siteCaFile(pem)).toBe(pem);
    });
});
