// The one recording mock for unit tests of wiring: records every resource, returns its inputs
// as state, and throws on any unmocked provider call so a hidden lookup cannot pass quietly.
import * as pulumi from "@pulumi/pulumi";
import { buildDigest, type BuildSpec } from "../../lib/diskimage/spec";

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export async function recordResources(stack = "test"): Promise<RecordedResource[]> {
    const recorded: RecordedResource[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
                // Outputs known once a resource exists: a command's stdout ("ran"), a random value, the
                // registry's credentials (else what is built from them, its configuration, stays unknown).
                const ran =
                    args.type === "command:local:Command"
                        ? { stdout: commandStdout(args.inputs as { create?: unknown; stdin?: string }), stderr: "" }
                        : args.type.endsWith("slipway:RandomSecret")
                          ? { value: `mock-random-${args.name}` }
                          : args.type.endsWith("slipway:CosignVerification")
                            ? verified(args.inputs as { reference: string })
                            : args.type.endsWith("slipway:ImagePromotion")
                              ? promoted(args.inputs as { verifiedDigest?: string; expectedRevision: string })
                              : // A remote node that is amd64 and gets exactly the amd64 images.
                                args.type.endsWith("slipway:NodeImages")
                                ? { architecture: "amd64", images: (args.inputs as { byArch: Record<string, unknown> }).byArch.amd64, shipped: [] }
                                : args.type.endsWith("slipway:ForgeOAuthApp")
                                  ? { appId: 1, clientId: "mock-client-id", clientSecret: "mock-client-secret" }
                                  : args.type.endsWith("slipway:RegistryCredentials")
                                    ? { password: "mock-registry-password", htpasswd: "slipway:mock-bcrypt", httpSecret: "mock-http-secret" }
                                    : {};
                return { id: `${args.name}-id`, state: { ...ran, ...(args.inputs as Record<string, unknown>) } };
            },
            call(args) {
                throw new Error(`unmocked provider call ${args.token}`);
            },
        },
        "slipway",
        stack,
        true,
    );
    return recorded;
}

/** Sets the stack config the program reads, as the CLI would (values as text, secret keys listed). */
export function setStackConfig(entries: Record<string, { value: string; secret: boolean }>): void {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [name, { value, secret }] of Object.entries(entries)) {
        config[`slipway:${name}`] = value;
        if (secret) secretKeys.push(`slipway:${name}`);
    }
    pulumi.runtime.setAllConfig(config, secretKeys);
}

/** Resolves an output (never assert inside apply: a failure there escapes the test). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * Resolves once every registration started so far has finished, and those they started: the
 * runtime's own queue of outstanding calls (internal to the SDK; what it waits for at exit).
 */
export function settled(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    return settings.waitForRPCs();
}

/** The recorded resource named `name`, once registered (registration follows outputs, so it may lag). */
export async function registered(recorded: readonly RecordedResource[], name: string): Promise<RecordedResource> {
    for (let i = 0; i < 100; i++) {
        const found = recorded.find((r) => r.name === name);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no resource named ${name} was registered within 2 s (registered: ${recorded.map((r) => r.name).join(", ")})`);
}

/** What a command prints: "" except the disk-image builder's and publisher's result lines, which their components parse. */
function commandStdout(inputs: { create?: unknown; stdin?: string }): string {
    // A command built from secrets reaches the mock as a secret wrapper, not a string: it prints nothing parsed.
    if (typeof inputs.create !== "string") return "";
    if (inputs.create === "node bin/scripts/swarmWorker.js join") return JSON.stringify({ nodeId: "mocknode", hostname: "worker" });
    if (inputs.create.startsWith("node bin/scripts/diskImage.js publish ")) {
        const { request } = JSON.parse(inputs.stdin!) as { request: { repository: string; children: { arch: string }[] } };
        const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
        return JSON.stringify({
            repository: request.repository,
            tag: "20261122000000-000000000000",
            digest: digest(0),
            children: request.children.map((c, i) => ({ arch: c.arch, digest: digest(i + 1), size: 100, payloadSha256: "f".repeat(64) })),
        });
    }
    const match = /^node bin\/scripts\/diskImage\.js build '(.*)'$/.exec(inputs.create);
    if (!match) return "";
    const spec = JSON.parse(match[1]!.replace(/'\\''/g, "'")) as BuildSpec;
    const manifest = {
        platform: spec.platform,
        arch: spec.arch,
        family: spec.family,
        buildDigest: buildDigest(spec),
        gitSha: spec.gitSha,
        builtAt: "2023-11-14T22:13:20.000Z",
        artifacts: [{ name: "payload", mediaType: "application/octet-stream", size: 1, sha256: "e".repeat(64) }],
    };
    return JSON.stringify({ dir: `/cache/${spec.family}-${spec.arch}`, built: true, manifest });
}

/** A verification that passed: the digest its reference names (a tag's: a fixed one), and a key signer. */
function verified(inputs: { reference: string }) {
    return { digest: inputs.reference.split("@")[1] ?? `sha256:${"7".repeat(64)}`, signer: "key:mock", layout: "bundle-referrer", children: [] };
}

/** A promotion that moved the target to the verified digest, at the expected revision. */
function promoted(inputs: { verifiedDigest?: string; expectedRevision: string }) {
    return { digest: inputs.verifiedDigest ?? `sha256:${"8".repeat(64)}`, revision: inputs.expectedRevision };
}
