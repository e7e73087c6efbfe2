// One error type for everything the registry says no to. It always names the registry, the
// repository, the reference and the HTTP status, so an operator knows where to look.

export class RegistryError extends Error {
    constructor(
        readonly registry: string,
        readonly repository: string,
        readonly reference: string,
        /** HTTP status, or 0 when no response came back (connection refused, reset, timeout). */
        readonly status: number,
        readonly detail: string,
        /** The registry's error code, e.g. MANIFEST_UNKNOWN, when it sent one. */
        readonly code?: string,
    ) {
        const where = `${registry}/${repository}${reference ? ` (${reference})` : ""}`;
        super(`${where}: ${status ? `HTTP ${status}` : "no response"}${code ? ` ${code}` : ""}: ${detail}`);
        this.name = "RegistryError";
    }

    get notFound(): boolean {
        return this.status === 404;
    }
}

/** The first `errors[]` entry of a distribution-spec error body, if any. */
export function registryErrorCode(body: string): { code?: string; message?: string } {
    try {
        // The registry's body: only string fields are read, whatever else it holds.
        const parsed = JSON.parse(body) as { errors?: unknown } | null;
        const first = Array.isArray(parsed?.errors) ? (parsed.errors[0] as { code?: unknown; message?: unknown } | null | undefined) : undefined;
        const text = (v: unknown) => (typeof v === "string" && v ? v : undefined);
        const code = text(first?.code);
        const message = text(first?.message);
        return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
    } catch {
        return {};
    }
}
