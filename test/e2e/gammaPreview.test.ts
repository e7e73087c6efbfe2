// Pulumi.gamma.yaml, the example of a complete site, previews under the real CLI to the same
// resource graph as the mocked snapshot (test/unit/platform.test.ts): in a copy of its
// configuration, with a test passphrase and test secrets in place of the operators' ones.
// A preview reaches no host: nothing here is ever a target.
import { readFileSync, writeFileSync } from "node:fs";
import { dump, load } from "js-yaml";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../support/exec";
import { ROOT } from "../support/prerequisites";
import { readStackFile } from "../support/stackFile";
import { throwawayStack } from "../support/stack";

/** The graph the mocked preview recorded: "<type> <name>" lines. */
function snapshotGraph(): string[] {
    const text = readFileSync(join(ROOT, "test", "unit", "__snapshots__", "platform.test.ts.snap"), "utf8");
    const body = /exports\[`Platform wiring > previews the gamma site as the expected resource graph 1`\] = `\n\[\n([\s\S]*?)\n\]\n`;/.exec(text)?.[1];
    if (!body) throw new Error("the gamma graph snapshot is missing from test/unit/__snapshots__/platform.test.ts.snap");
    return body.split("\n").map((l) => JSON.parse(l.trim().replace(/,$/, "")) as string);
}

const TEST_SECRETS: Record<string, string> = {
    sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----",
    tlsPrivateKey: "-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----",
    registryS3SecretKey: "test-s3-secret",
    ciOAuthClientSecret: "test-oauth-secret",
    signingKey: "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\ntest\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----",
    signingKeyPassword: "test-password",
};

describe("the gamma site", () => {
    it("previews under the real CLI to the graph the mocked preview snapshots", async () => {
        const gamma = readStackFile("gamma");
        const t = await throwawayStack(() => ({}));
        try {
            // The copy: gamma's plain settings as the stack file holds them (objects stay objects), beside the throwaway's own salt.
            const file = join(ROOT, `Pulumi.${t.stack.name}.yaml`);
            const copy = load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
            const source = load(readFileSync(join(ROOT, "Pulumi.gamma.yaml"), "utf8")) as { config: Record<string, unknown> };
            copy.config = Object.fromEntries(Object.entries(source.config).filter(([, v]) => !(typeof v === "object" && v !== null && "secure" in v)));
            writeFileSync(file, dump(copy));
            for (const [key, entry] of Object.entries(gamma))
                if (entry.secret) await t.stack.setConfig(`slipway:${key}`, { value: TEST_SECRETS[key] ?? "test", secret: true });
            const env = { ...process.env, PULUMI_BACKEND_URL: `file://${t.backend}`, PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway" };
            const result = await run("pulumi", ["preview", "--json", "--cwd", ROOT, "--stack", t.stack.name], { env, timeoutMs: 600_000 });
            expect(result.code, result.stderr || result.stdout.slice(-3000)).toBe(0);
            const steps = (JSON.parse(result.stdout) as { steps: Array<{ urn: string; op: string }> }).steps;
            const graph = [
                ...new Set(
                    steps
                        .map((s) => s.urn.split("::"))
                        .map((parts) => `${parts[2]!.split("$").pop()} ${parts[3]}`)
                        .filter((line) => !line.startsWith("pulumi:pulumi:Stack") && !line.startsWith("pulumi:providers:")),
                ),
            ].sort();
            expect(graph).toEqual([...snapshotGraph()].sort());
            expect(steps.every((s) => s.op === "create")).toBe(true);
        } finally {
            await t.dispose();
        }
    });
});
