// Where a stack keeps its data, from its configuration as `pulumi config --json` prints it: the
// same names the platform's components give the services and volumes (components/registry/ociRegistry,
// components/ci/ciStack), so a backup reads exactly what the site runs.
import type { DataPart, Site } from "./backup";

/** One key of `pulumi config --json`: structured values come as objectValue (or JSON text). */
type ConfigJson = Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;

const section = <T>(config: ConfigJson, key: string): Partial<T> => {
    const entry = config[`slipway:${key}`];
    if (!entry) return {};
    if (entry.objectValue !== undefined) return entry.objectValue as Partial<T>;
    return entry.value ? (JSON.parse(entry.value) as Partial<T>) : {};
};

/** The site's data parts: the registry's blob volume (filesystem storage only: S3 content lives in its bucket) and the CI database. */
export function siteOf(stack: string, config: ConfigJson): Site & { sshKey: boolean } {
    const host = section<{ endpoint: string }>(config, "host");
    const proxy = section<{ domain: string }>(config, "proxy");
    const registry = section<{ storage: { kind: string; volume?: string } }>(config, "registry");
    if (!proxy.domain) throw new Error(`the stack ${stack} has no slipway:proxy.domain: is it a Slipway stack, and is PULUMI_BACKEND_URL its backend?`);
    const storage = registry.storage ?? { kind: "filesystem", volume: "registry-data" };
    const parts: DataPart[] = [];
    if (storage.kind === "filesystem")
        parts.push({
            name: "registry",
            service: `${stack}-registry_registry`,
            volume: `${stack}-registry_${storage.volume ?? "registry-data"}`,
            path: "/var/lib/registry",
        });
    parts.push({ name: "ci", service: `${stack}-ci_server`, volume: `${stack}-ci_data`, path: "/var/lib/woodpecker" });
    return { stack, domain: proxy.domain, endpoint: host.endpoint ?? "unix:///var/run/docker.sock", parts, sshKey: "slipway:sshPrivateKey" in config };
}
