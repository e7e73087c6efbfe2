// The registry tags a backup lists, read from a tar of distribution's storage as tar (and
// `docker cp`) write it: long repository paths too, which need PAX or GNU long-name records.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { registryTags } from "../../tooling/backup/tarTags";

const dir = mkdtempSync(join(tmpdir(), "slipway-tar-tags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function storage(tags: Record<string, string>, format: string): string {
    const root = join(dir, format, "registry");
    for (const [tagged, digest] of Object.entries(tags)) {
        const [repository, tag] = [tagged.slice(0, tagged.lastIndexOf(":")), tagged.slice(tagged.lastIndexOf(":") + 1)];
        const link = join(root, "docker/registry/v2/repositories", repository, "_manifests/tags", tag, "current");
        mkdirSync(link, { recursive: true });
        writeFileSync(join(link, "link"), digest);
    }
    // A blob, and a link that is not a tag's: neither is listed.
    mkdirSync(join(root, "docker/registry/v2/blobs/sha256/aa"), { recursive: true });
    writeFileSync(join(root, "docker/registry/v2/blobs/sha256/aa/data"), Buffer.alloc(70_000, 1));
    const file = join(dir, `${format}.tar`);
    execFileSync("tar", [`--format=${format}`, "-cf", file, "-C", join(dir, format), "registry"]);
    return file;
}

describe("registryTags", () => {
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    const tags = {
        "apps/web:v1": digest("a"),
        "apps/web:prod": digest("b"),
        [`disk-images/${"very-long-platform-name-".repeat(5)}node/kernel-initrd:20261206000000-0123456789ab`]: digest("c"),
    };

    for (const format of ["pax", "gnu", "ustar"]) {
        it(`reads every tag and its digest from a ${format} tar`, async () => {
            const file = format === "ustar" ? storage({ "apps/web:v1": digest("a") }, format) : storage(tags, format);
            expect(await registryTags(file)).toEqual(format === "ustar" ? { "apps/web:v1": digest("a") } : tags);
        });
    }
});
