// npm run bump -- <tool|node> <version> [<go module version>]
// npm run bump -- deb <package>:<arch> [<version>]     (default: apt's candidate)
// Checks the new version resolves from its registry (Go module proxy, npm, Debian's archive:
// the .deb is fetched and must hash to the index's sha256) and records its hashes, then
// rewrites toolchain.lock.json. Nothing is written when anything fails.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bump, type Lock, type Resolvers } from "./toolchain/lock";
import { fetchDeb, parseAptShow } from "../lib/diskimage/debs";
import { slipwayCache } from "../lib/cache";

const lockFile = process.env.SLIPWAY_LOCK ?? resolve("toolchain.lock.json");

const resolvers: Resolvers = {
    goModuleSum(module, version) {
        const dir = mkdtempSync(join(tmpdir(), "slipway-bump-"));
        try {
            writeFileSync(join(dir, "go.mod"), "module slipway.local/bump\n\ngo 1.24\n");
            const env = { ...process.env, GOTOOLCHAIN: "local", GOSUMDB: "off", GOFLAGS: "-mod=mod" };
            let out: string;
            try {
                out = execFileSync("go", ["mod", "download", "-json", `${module}@${version}`], {
                    cwd: dir,
                    env,
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "pipe"],
                });
            } catch (error) {
                const text = String((error as { stdout?: string }).stdout ?? "");
                const reason = /"Error":\s*"([^"]+)"/.exec(text)?.[1] ?? String(error);
                throw new Error(`the Go module proxy does not serve ${module}@${version}: ${reason}`);
            }
            return Promise.resolve((JSON.parse(out) as { Sum: string }).Sum);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    },
    npmVersionExists(pkg, version) {
        try {
            return Promise.resolve(
                execFileSync("npm", ["view", `${pkg}@${version}`, "version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "",
            );
        } catch {
            return Promise.resolve(false);
        }
    },
};

/** Pins a Debian package (for disk images, and for platform images of another arch) at `version` (or apt's candidate), fetched and checked first. */
async function bumpDeb(key: string | undefined, version: string | undefined): Promise<void> {
    const [pkg, arch] = (key ?? "").split(":");
    if (!pkg || (arch !== "amd64" && arch !== "arm64")) throw new Error("usage: npm run bump -- deb <package>:<amd64|arm64> [<version>]");
    let shown: string;
    try {
        shown = execFileSync("apt-cache", ["show", `${pkg}:${arch}${version ? `=${version}` : ""}`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        throw new Error(
            `apt knows no ${pkg}:${arch}${version ? `=${version}` : ""} (${String((error as { stderr?: string }).stderr ?? error).trim()}): apt-get update, or see apt-cache policy ${pkg}:${arch}`,
        );
    }
    const pin = parseAptShow(shown, version);
    if (!pin) throw new Error(`apt-cache show ${pkg}:${arch} has no version${version ? ` ${version}` : ""} with a SHA256`);
    await fetchDeb({ package: pkg, arch, ...pin }, slipwayCache());
    const lock = JSON.parse(readFileSync(lockFile, "utf8")) as Lock;
    lock.debs = Object.fromEntries(Object.entries({ ...lock.debs, [`${pkg}:${arch}`]: pin }).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`${pkg}:${arch}: pinned ${pin.version} (sha256 ${pin.sha256}) in ${lockFile}, fetched and checked into the cache.`);
}

async function main(): Promise<void> {
    const [tool, version, moduleVersion] = process.argv.slice(2);
    if (tool === "deb") return bumpDeb(version, moduleVersion);
    if (!tool || !version) throw new Error("usage: npm run bump -- <tool|node> <version> [<go module version>]");
    const lock = JSON.parse(readFileSync(lockFile, "utf8")) as Lock;
    const result = await bump(lock, tool, version, resolvers, moduleVersion);
    writeFileSync(lockFile, `${JSON.stringify(result.lock, null, 2)}\n`);
    console.log(`${tool}: pinned ${version} in ${lockFile}. Next:\n${result.followUps.map((f) => `  ${f}`).join("\n")}`);
}

main().catch((error: unknown) => {
    console.error(`bump failed, ${lockFile} unchanged: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
