// The build's inputs are Debian packages pinned in toolchain.lock.json (`debs`: version and
// the .deb's sha256). apt fetches them (it checks the archive's signed index); the pinned
// sha256 is checked again here, so a package re-uploaded under the same version is refused.
// Fetched .debs stay in the cache: Debian drops old kernels from its archive, the cache
// keeps building what is pinned.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Arch } from "./targets";
import { run } from "./run";

export interface DebPin {
    version: string;
    sha256: string;
}

export interface DebInput extends DebPin {
    package: string;
    arch: Arch;
}

/** The pin of `pkg` for `arch`, or an error that says how to add it. */
export function debInput(debs: Record<string, DebPin> | undefined, pkg: string, arch: Arch): DebInput {
    const pin = debs?.[`${pkg}:${arch}`];
    if (!pin) throw new Error(`toolchain.lock.json pins no Debian package ${pkg}:${arch}: add it with npm run bump -- deb ${pkg}:${arch}`);
    return { package: pkg, arch, ...pin };
}

const fileName = (deb: DebInput) => `${deb.package}_${deb.version.replace(/:/g, "%3a")}_${deb.arch}.deb`;

/** The .deb's path in the cache, fetched with apt and checked against its pin. */
export async function fetchDeb(deb: DebInput, cacheRoot: string): Promise<string> {
    const dir = join(cacheRoot, "debs");
    const path = join(dir, fileName(deb));
    if (existsSync(path) && sha256File(path) === deb.sha256) return path;
    mkdirSync(dir, { recursive: true });
    const tmp = mkdtempSync(join(dir, ".fetch-"));
    try {
        await run(["apt-get", "download", "-q", `${deb.package}:${deb.arch}=${deb.version}`], { cwd: tmp, timeoutMs: 300_000 }).catch((error: Error) => {
            throw new Error(
                `apt could not fetch ${deb.package}:${deb.arch}=${deb.version} (${error.message}). Debian keeps only current kernels: ` +
                    `pin one it serves (apt-cache policy ${deb.package}:${deb.arch}; npm run bump -- deb ${deb.package}:${deb.arch})` +
                    (deb.arch === "arm64" ? ", and make sure arm64 is an apt architecture (scripts/setup adds it)" : ""),
            );
        });
        const [fetched] = readdirSync(tmp);
        const got = sha256File(join(tmp, fetched!));
        if (got !== deb.sha256)
            throw new Error(
                `${deb.package}:${deb.arch}=${deb.version} from apt has sha256 ${got}, but toolchain.lock.json pins ${deb.sha256}: refusing it (a re-upload, or a wrong pin: npm run bump -- deb ${deb.package}:${deb.arch})`,
            );
        renameSync(join(tmp, fetched!), path);
        return path;
    } finally {
        rmSync(tmp, { recursive: true, force: true });
    }
}

/** The package's files, extracted once per pinned sha256 and shared by every build. */
export async function extractDeb(deb: DebInput, cacheRoot: string): Promise<string> {
    const target = join(cacheRoot, "debs", `x-${deb.sha256}`);
    if (existsSync(target)) return target;
    const path = await fetchDeb(deb, cacheRoot);
    const tmp = mkdtempSync(join(cacheRoot, "debs", ".x-"));
    try {
        await run(["dpkg-deb", "-x", path, tmp]);
        // Two builds may extract the same package at once: the first rename wins, both use it.
        try {
            renameSync(tmp, target);
        } catch (error) {
            if (!existsSync(target)) throw error;
        }
        return target;
    } finally {
        rmSync(tmp, { recursive: true, force: true });
    }
}

export function sha256File(path: string): string {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The stanza of `apt-cache show` output for `version` (default: the first, apt's candidate order): its version and .deb sha256. */
export function parseAptShow(text: string, version?: string): DebPin | undefined {
    for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}: (.+)$`, "m").exec(stanza)?.[1]?.trim();
        const v = field("Version");
        const sha256 = field("SHA256");
        if (v && sha256 && (!version || v === version)) return { version: v, sha256 };
    }
    return undefined;
}
