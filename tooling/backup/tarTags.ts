// What a registry's storage holds, read from a tar of it (as `docker cp` streams a volume):
// every tag and the digest it names, from distribution's filesystem layout
// (docker/registry/v2/repositories/<repo>/_manifests/tags/<tag>/current/link). A backup's
// manifest lists them, so a restore can be checked digest by digest. A small streaming
// reader: ustar headers, PAX path records and GNU long names (what tar and docker write).
import { createReadStream } from "node:fs";

const BLOCK = 512;
const LINK = /(?:^|\/)docker\/registry\/v2\/repositories\/(.+)\/_manifests\/tags\/([^/]+)\/current\/link$/;

/** `repository:tag` → digest, for every tag in the tar at `file`. */
export async function registryTags(file: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let pending = Buffer.alloc(0);
    let longName: string | undefined;
    // Where the stream is: in a header, or inside an entry's data (its name, how much is left).
    let entry: { name: string; remaining: number; padding: number; type: string; data: Buffer[] } | undefined;
    for await (const chunk of createReadStream(file)) {
        pending = Buffer.concat([pending, chunk as Buffer]);
        for (;;) {
            if (entry) {
                const take = Math.min(entry.remaining, pending.length);
                if (entry.type === "x" || entry.type === "L" || LINK.test(entry.name)) entry.data.push(pending.subarray(0, take));
                pending = pending.subarray(take);
                entry.remaining -= take;
                if (entry.remaining > 0) break;
                if (pending.length < entry.padding) break;
                pending = pending.subarray(entry.padding);
                const body = Buffer.concat(entry.data).toString("utf8");
                if (entry.type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)?.[1] ?? longName;
                else if (entry.type === "L") longName = body.replace(/\0.*$/s, "");
                else {
                    const m = LINK.exec(entry.name);
                    if (m && /^sha256:[a-f0-9]{64}$/.test(body.trim())) tags[`${m[1]}:${m[2]}`] = body.trim();
                }
                entry = undefined;
                continue;
            }
            if (pending.length < BLOCK) break;
            const header = pending.subarray(0, BLOCK);
            pending = pending.subarray(BLOCK);
            if (header.every((b) => b === 0)) continue;
            const field = (offset: number, length: number) =>
                header
                    .subarray(offset, offset + length)
                    .toString("utf8")
                    .replace(/\0.*$/s, "");
            const size = parseInt(field(124, 12).trim() || "0", 8);
            const type = field(156, 1) || "0";
            const prefix = field(345, 155);
            const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
            if (type !== "x" && type !== "L") longName = undefined;
            entry = { name, remaining: size, padding: (BLOCK - (size % BLOCK)) % BLOCK, type, data: [] };
        }
    }
    return tags;
}
