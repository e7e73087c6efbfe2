// Names for a test's own hosts in /etc/hosts, between marker lines of that test, removed again:
// a site's `*.<domain>` must resolve to its manager for this machine (publishing through its
// Traefik) and for the engines sharing this filesystem (pulling from its registry).
import { readFileSync, writeFileSync } from "node:fs";

const HOSTS = "/etc/hosts";
const begin = (id: string) => `# slipway test ${id} begin`;
const end = (id: string) => `# slipway test ${id} end`;

/** Maps each name to `address`, marked with `id`. */
export function addHosts(id: string, address: string, names: readonly string[]): void {
    removeHosts(id);
    removeStaleBlocks(names);
    const text = readFileSync(HOSTS, "utf8");
    writeFileSync(HOSTS, `${text.endsWith("\n") ? text : `${text}\n`}${begin(id)}\n${address} ${names.join(" ")}\n${end(id)}\n`);
}

/** Removes what addHosts(id, …) wrote; nothing else. */
export function removeHosts(id: string): void {
    const lines = readFileSync(HOSTS, "utf8").split("\n");
    const from = lines.indexOf(begin(id));
    const to = lines.indexOf(end(id));
    if (from < 0 || to < from) return;
    lines.splice(from, to - from + 1);
    writeFileSync(HOSTS, lines.join("\n"));
}

/**
 * Removes other tests' blocks that map any of `names`: left by a run that was killed before its
 * cleanup, they come first in the file and would win over this test's (the first match resolves).
 */
function removeStaleBlocks(names: readonly string[]): void {
    const lines = readFileSync(HOSTS, "utf8").split("\n");
    const kept: string[] = [];
    for (let i = 0; i < lines.length; i++) {
        const id = /^# slipway test (\S+) begin$/.exec(lines[i]!)?.[1];
        const close = id ? lines.indexOf(end(id), i) : -1;
        if (
            id &&
            close > i &&
            lines.slice(i + 1, close).some((l) =>
                l
                    .split(/\s+/)
                    .slice(1)
                    .some((n) => names.includes(n)),
            )
        ) {
            i = close;
            continue;
        }
        kept.push(lines[i]!);
    }
    writeFileSync(HOSTS, kept.join("\n"));
}
