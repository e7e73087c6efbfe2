// A throwaway Pulumi stack of this project, on its own file backend, for the e2e tier. Runs
// the real CLI through the Automation API against the compiled program in bin/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { LocalWorkspace, type ConfigMap, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { RegistryClient } from "../../lib/oci/client";
import { ROOT } from "./prerequisites";
import { startRegistry, type RunningRegistry } from "./registries";

export interface ThrowawayStack {
    stack: Stack;
    /** The file backend's folder: the state as it lies on disk ("" on another backend). */
    backend: string;
    /** A short random id, for names that must not collide with a real deployment. */
    id: string;
    /** Destroys whatever is left, removes the stack and its backend. */
    dispose(): Promise<void>;
}

/** The passphrase of every throwaway stack's secrets. */
export const THROWAWAY_PASSPHRASE = "e2e-throwaway";

/** Another backend than a fresh file one: its URL and the environment it needs (an S3 one's credentials). */
export interface BackendSpec {
    url: string;
    env?: Record<string, string>;
}

/** The local stack's domain, which setup makes resolve to this machine (/etc/hosts). */
export const LOCAL_DOMAIN = "local.slipway.test";

/**
 * A throwaway platform's own corner of this machine: its overlay network and ports (a deployed
 * local stack keeps its own), under the local domain, and its data deleted with it.
 */
export function throwawayPlatform(id: string, ports: { http: number; https: number }): ConfigMap {
    return {
        "slipway:host.networkName": { value: `e2e-${id}-proxy` },
        "slipway:host.dataOnDestroy": { value: "delete" },
        "slipway:proxy.domain": { value: LOCAL_DOMAIN },
        "slipway:proxy.httpPort": { value: String(ports.http) },
        "slipway:proxy.httpsPort": { value: String(ports.https) },
    };
}

/** A throwaway stack of the project in `workDir` (default: Slipway itself). */
export async function throwawayStack(config: (id: string) => ConfigMap, workDir = ROOT, sharedBackend?: string, remote?: BackendSpec): Promise<ThrowawayStack> {
    const id = randomBytes(4).toString("hex");
    // A shared backend (another throwaway's) lets one stack read the other by StackReference.
    const backend = remote ? "" : (sharedBackend ?? mkdtempSync(join(tmpdir(), "slipway-e2e-state-")));
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: `e2e-${id}`, workDir },
        { envVars: { PULUMI_BACKEND_URL: remote?.url ?? `file://${backend}`, ...remote?.env, PULUMI_CONFIG_PASSPHRASE: THROWAWAY_PASSPHRASE } },
    );
    await stack.setAllConfig(config(id), true);
    return {
        stack,
        backend,
        id,
        async dispose() {
            try {
                await stack.destroy();
            } finally {
                await stack.workspace.removeStack(stack.name);
                if (!sharedBackend && backend) rmSync(backend, { recursive: true, force: true });
            }
        },
    };
}

/**
 * Collects the steps of one operation that change a resource (anything but `same`). Provider
 * resources are left out: the engine updates the default dynamic provider whenever stack
 * config changes (dynamic providers receive the config), which changes nothing deployed.
 */
/** The URNs of the resources in the stack's state. */
export async function urnsInState(stack: Stack): Promise<string[]> {
    const state = await stack.exportStack();
    return ((state.deployment as { resources?: Array<{ urn: string }> }).resources ?? []).map((r) => r.urn);
}

export function changedSteps(): { onEvent: (e: EngineEvent) => void; steps: Array<{ op: string; urn: string }> } {
    const steps: Array<{ op: string; urn: string }> = [];
    return {
        steps,
        onEvent: (e) => {
            const m = e.resourcePreEvent?.metadata;
            if (m && m.op !== "same" && m.type !== "pulumi:pulumi:Stack" && !m.type.startsWith("pulumi:providers:")) steps.push({ op: m.op, urn: m.urn });
        },
    };
}

export interface ExampleWithRegistry {
    registry: RunningRegistry;
    /** A client of the registry, for arranging and checking what the stack does. */
    client: RegistryClient;
    t: ThrowawayStack;
    /** Destroys the stack, then closes the client and stops the registry. */
    dispose(): Promise<void>;
}

/** A loopback distribution registry and a throwaway stack of `examples/<example>` configured against it. */
export async function exampleWithRegistry(example: string, config: (host: string) => ConfigMap): Promise<ExampleWithRegistry> {
    const registry = await startRegistry("distribution");
    const client = new RegistryClient({ registry: registry.host, scheme: "http", credentials: null });
    const t = await throwawayStack(() => config(registry.host), join(ROOT, "examples", example));
    return {
        registry,
        client,
        t,
        async dispose() {
            try {
                await t.dispose();
            } finally {
                client.close();
                await registry.stop();
            }
        },
    };
}
