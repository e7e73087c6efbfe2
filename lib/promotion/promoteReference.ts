// What the ImagePromotion provider runs, by reference strings, with the registry connection
// read at call time (lib/oci/connect).
import { clientFor, resolveReference, type Connection } from "../oci/connect";
import { parseReference } from "../oci/reference";
import { promote, PromotionError, type Promotion } from "./promote";

function sides(source: string, target: string) {
    const s = parseReference(source);
    const t = parseReference(target);
    if (s.registry !== t.registry)
        throw new PromotionError(
            "copy-failed",
            `source and target are in different registries (${s.registry}, ${t.registry}): promotion copies within one registry`,
        );
    if (!t.tag || t.digest) throw new Error(`the target "${target}" must be a tag (registry/repository:tag)`);
    return { s, t };
}

/** The digest the source names now. */
export async function resolveSource(source: string, connection?: boolean | Connection): Promise<string> {
    try {
        return await resolveReference(source, connection);
    } catch (error) {
        throw new PromotionError("source-unresolvable", `${source} cannot be resolved: ${(error as Error).message}`);
    }
}

/** Promotes exactly `sourceDigest` (resolved at preview) to the target tag. */
export async function promoteDigest(
    source: string,
    sourceDigest: string,
    target: string,
    expectedRevision: string,
    connection?: boolean | Connection,
): Promise<Promotion> {
    const { s, t } = sides(source, target);
    const client = clientFor(s.registry, connection);
    try {
        return await promote(client, { repository: s.repository, tag: sourceDigest }, { repository: t.repository, tag: t.tag! }, expectedRevision);
    } finally {
        client.close();
    }
}

/** What the target tag points at now, or "" when it does not exist. */
export async function targetDigest(target: string, connection?: boolean | Connection): Promise<string> {
    const t = parseReference(target);
    const client = clientFor(t.registry, connection);
    try {
        return await client.resolve(t.repository, t.tag!);
    } catch (error) {
        if ((error as { notFound?: boolean }).notFound) return "";
        throw error;
    } finally {
        client.close();
    }
}
