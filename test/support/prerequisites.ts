// What the integration and e2e tiers need, checked up front. A tier whose prerequisites are
// missing fails with the list of what is missing and how to get it: never a silent skip.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "./exec";

export const ROOT = join(__dirname, "..", "..");

/** A check resolves to what is missing, or undefined when all is there. */
export type Check = () => Promise<string | undefined> | string | undefined;

export const dockerSwarm: Check = async () => {
    const r = await run("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"]);
    if (r.code !== 0) return `no Docker Engine answers (${r.stderr.split("\n")[0]}): run scripts/setup, which starts dockerd`;
    return r.stdout === "active" ? undefined : `the swarm is ${r.stdout}, not active: run scripts/setup`;
};

export const nodeVersion: Check = () => {
    const major = Number(process.versions.node.split(".")[0]);
    return major === 24 ? undefined : `Node.js ${process.versions.node} runs the tests, not 24: . scripts/env (after scripts/setup)`;
};

/** The pulumi CLI, its bundled plugins beside it, and every provider plugin the SDKs request. */
export const pulumiToolchain: Check = async () => {
    const which = await run("sh", ["-c", "command -v pulumi"]);
    if (which.code !== 0) return "no pulumi on PATH: run scripts/setup, then . scripts/env";
    const dir = dirname(which.stdout);
    const missing = ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].filter((b) => !existsSync(join(dir, b)));
    // Every plugin the lock pins must sit in the plugin cache at exactly its pinned version.
    const lock = JSON.parse(readFileSync(join(ROOT, "toolchain.lock.json"), "utf8")) as {
        tools: Record<string, { version: string; pluginKind?: string; pluginName?: string; binaries: string[] }>;
    };
    const home = process.env.PULUMI_HOME ?? join(process.env.HOME ?? "/root", ".pulumi");
    for (const t of Object.values(lock.tools)) {
        if (!t.pluginKind) continue;
        if (!existsSync(join(home, "plugins", `${t.pluginKind}-${t.pluginName}-v${t.version}`, t.binaries[0]!)))
            missing.push(`${t.pluginKind} plugin ${t.pluginName} v${t.version}`);
    }
    return missing.length ? `missing ${missing.join(", ")}: run scripts/setup` : undefined;
};

/** Commands a tier runs, each on PATH (setup installs or builds every one). */
export function commands(...names: string[]): Check {
    return async () => {
        const missing: string[] = [];
        for (const name of names) if ((await run("sh", ["-c", `command -v ${name}`])).code !== 0) missing.push(name);
        return missing.length ? `not on PATH: ${missing.join(", ")}: run scripts/setup, then . scripts/env` : undefined;
    };
}

/** What the disk-image builder and its boot tests run, and the pinned packages setup fetched. */
export const diskImageTools: Check = async () => {
    const missing = await commands(
        "cpio",
        "zstd",
        "grub-mkimage",
        "mkfs.fat",
        "mcopy",
        "sgdisk",
        "xorriso",
        "qemu-img",
        "qemu-system-x86_64",
        "qemu-system-aarch64",
        "apt-get",
        "dpkg-deb",
    )();
    if (missing) return missing;
    const firmware = ["/usr/share/ovmf/OVMF.fd", "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd"].filter((f) => !existsSync(f));
    return firmware.length ? `UEFI firmware missing (${firmware.join(", ")}): run scripts/setup (Debian's ovmf and qemu-efi-aarch64)` : undefined;
};

/** A second engine in a network namespace, reached over real SSH (test/support/workerNode). */
export const multiNodeTools: Check = async () => {
    const missing = await commands("ip", "nsenter", "dockerd", "ssh", "ssh-keygen", "ssh-keyscan")();
    if (missing) return missing;
    return existsSync("/usr/sbin/sshd") ? undefined : "sshd is missing (/usr/sbin/sshd): run scripts/setup (Debian's openssh-server)";
};

export const compiledProgram: Check = () => (existsSync(join(ROOT, "bin", "index.js")) ? undefined : "bin/index.js is missing: npm run build");

/** Runs every check and throws one error listing everything missing. */
export async function requireAll(tier: string, checks: readonly Check[]): Promise<void> {
    const problems = (await Promise.all(checks.map(async (c) => c()))).filter((p): p is string => !!p);
    if (problems.length) throw new Error(`The ${tier} tier cannot run:\n  - ${problems.join("\n  - ")}`);
}
