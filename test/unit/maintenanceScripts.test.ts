// The prune script's decisions, run by the busybox the maintenance image carries, against a
// stand-in `docker` that answers from a table and records what it was asked to do. (The real
// engine is pruned by test/e2e/maintenance.test.ts; this covers the time arithmetic and the
// volume rules, which no real engine lets a test age by hours.)
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { renderGcCrontab, renderPruneScript } from "../../lib/docker/maintenance";

const HEX = (c: string) => c.repeat(64);
const iso = (secondsAgo: number, offset = "Z") => {
    const d = new Date(Date.now() - secondsAgo * 1000);
    if (offset === "Z") return `${d.toISOString().slice(0, 19)}Z`;
    // The same instant written in a zone `offset` ahead of UTC (+hh:mm).
    const [h, m] = offset.slice(1).split(":").map(Number) as [number, number];
    const sign = offset.startsWith("-") ? -1 : 1;
    return `${new Date(d.getTime() + sign * (h * 60 + m) * 60_000).toISOString().slice(0, 19)}${offset}`;
};

let dir: string;
beforeAll(() => {
    try {
        execFileSync("busybox", ["true"]);
    } catch {
        throw new Error("busybox is missing: scripts/setup installs busybox-static (the maintenance image is assembled from it)");
    }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the prune script once with these dangling volumes (name → CreatedAt); returns the docker calls. */
function pruneOnce(hours: number, volumes: Record<string, string>): { calls: string[]; out: string } {
    dir = mkdtempSync(join(tmpdir(), "slipway-prune-"));
    const table = Object.entries(volumes)
        .map(([name, created]) => `${name} ${created}`)
        .join("\n");
    writeFileSync(join(dir, "volumes"), `${table}\n`);
    writeFileSync(
        join(dir, "docker"),
        `#!/bin/sh
echo "$*" >> ${dir}/calls
case "$1 $2" in
  "image prune") echo "Total reclaimed space: 0B" ;;
  "volume ls") cut -d' ' -f1 ${dir}/volumes ;;
  "volume inspect") grep "^$5 " ${dir}/volumes | cut -d' ' -f2 ;;
esac
`,
    );
    chmodSync(join(dir, "docker"), 0o755);
    writeFileSync(join(dir, "prune.sh"), renderPruneScript());
    const out = execFileSync("busybox", ["sh", join(dir, "prune.sh")], {
        env: { PATH: `${dir}:/usr/bin:/bin`, PRUNE_HOURS: String(hours), PRUNE_ONCE: "1" },
        encoding: "utf8",
    });
    return { calls: readFileSync(join(dir, "calls"), "utf8").trim().split("\n"), out };
}

describe("the prune script", () => {
    it("prunes images unused for the window, by the engine's own until filter, sparing the images setup assembled", () => {
        const { calls } = pruneOnce(24, {});
        expect(calls[0]).toBe("image prune --all --force --filter until=24h --filter label!=dev.slipway.image");
    });

    it("removes anonymous dangling volumes created before the window, and only those", () => {
        const { calls, out } = pruneOnce(24, {
            [HEX("a")]: iso(25 * 3600), // old, anonymous: removed
            [HEX("b")]: iso(23 * 3600), // anonymous, inside the window: kept
            "registry-data": iso(1000 * 3600), // named: data, never pruned
            [HEX("c")]: iso(25 * 3600, "+05:30"), // old, written with an offset: removed
            [HEX("d")]: iso(23 * 3600, "-08:00"), // inside the window with an offset: kept
            [HEX("e")]: "yesterday", // unreadable time: kept
        });
        const removed = calls.filter((c) => c.startsWith("volume rm")).map((c) => c.split(" ")[2]);
        expect(removed).toEqual([HEX("a"), HEX("c")]);
        expect(out).toContain(`prune: removed anonymous volume ${HEX("a")}`);
        expect(out).toContain(`prune: volume ${HEX("e")}: unreadable creation time yesterday, kept`);
        expect(calls).not.toContain("volume inspect --format {{.CreatedAt}} registry-data");
    });
});

describe("the registry collector's crontab", () => {
    it("runs the script at the schedule and sends its output to the service's log", () => {
        expect(renderGcCrontab("0 3 * * 0", "/slipway/registry-gc.sh")).toBe("0 3 * * 0 sh /slipway/registry-gc.sh >/proc/1/fd/1 2>&1\n");
    });
});
