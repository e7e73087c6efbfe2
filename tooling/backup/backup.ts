// A site's data, backed up and restored over the engine's own connection (the stack's SSH
// access for a remote manager): the registry's blobs (filesystem storage) and the CI database,
// each read from its running container while that container is paused, so what is saved is
// one consistent moment. A backup is a tar holding slipway-backup.json (the site it came from,
// each part's sha256 and size, and every registry tag with the digest it names) and one tar per
// part. A restore checks the parts against their sums and refuses another site's backup unless
// forced; it replaces each volume's content and starts its service again.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { docker } from "../../lib/docker/cli";
import { registryTags } from "./tarTags";

export const BACKUP_FORMAT = "slipway-backup/1";

/** One kind of data on the site: the service that writes it, its volume, where it is mounted. */
export interface DataPart {
    name: "registry" | "ci";
    service: string;
    volume: string;
    path: string;
}

export interface Site {
    stack: string;
    domain: string;
    endpoint: string;
    parts: DataPart[];
}

export interface BackupManifest {
    format: string;
    site: { stack: string; domain: string };
    createdAt: string;
    parts: Array<DataPart & { file: string; sha256: string; bytes: number; tags?: Record<string, string> }>;
}

type Env = NodeJS.ProcessEnv;
type Progress = (line: string) => void;

/** The container running `service` on the manager, or an error naming the service. */
async function runningContainer(site: Site, service: string, env: Env): Promise<string> {
    const id = (await docker(site.endpoint, ["ps", "--quiet", "--filter", `label=com.docker.swarm.service.name=${service}`], 60_000, env)).split("\n")[0];
    if (!id) throw new Error(`${service} has no running container on ${site.endpoint}: pulumi up first (a backup reads the data through it)`);
    return id;
}

/** Runs docker with stdout to a file, or stdin from one; bounded in time. */
function dockerStream(endpoint: string, args: string[], env: Env, io: { out?: string; in?: string }, timeoutMs = 3_600_000): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", args, {
            env: { ...process.env, ...env, DOCKER_HOST: endpoint },
            stdio: [io.in ? "pipe" : "ignore", io.out ? "pipe" : "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
        // The file is whole only once its stream has flushed, which may be after docker exits.
        const written = io.out
            ? new Promise<void>((done, fail) => child.stdout!.pipe(createWriteStream(io.out!)).on("finish", done).on("error", fail))
            : Promise.resolve();
        if (io.in) createReadStream(io.in).pipe(child.stdin!);
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            if (code === 0) written.then(resolve, reject);
            else reject(new Error(`docker ${args.join(" ")} on ${endpoint} failed: ${stderr.trim() || `exit ${code}`}`));
        });
    });
}

async function sha256File(file: string): Promise<string> {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return `sha256:${hash.digest("hex")}`;
}

/** Writes the site's data to `file` (a tar); returns its manifest. */
export async function backupSite(site: Site, file: string, env: Env, progress: Progress): Promise<BackupManifest> {
    const work = mkdtempSync(join(tmpdir(), "slipway-backup-"));
    try {
        const manifest: BackupManifest = {
            format: BACKUP_FORMAT,
            site: { stack: site.stack, domain: site.domain },
            createdAt: new Date().toISOString(),
            parts: [],
        };
        for (const part of site.parts) {
            const container = await runningContainer(site, part.service, env);
            const out = join(work, `${part.name}.tar`);
            // Paused, the writer cannot change the data half-way through the copy.
            await docker(site.endpoint, ["pause", container], 60_000, env);
            try {
                await dockerStream(site.endpoint, ["cp", `${container}:${part.path}`, "-"], env, { out });
            } finally {
                await docker(site.endpoint, ["unpause", container], 60_000, env);
            }
            const entry = {
                ...part,
                file: `${part.name}.tar`,
                sha256: await sha256File(out),
                bytes: statSync(out).size,
                ...(part.name === "registry" ? { tags: await registryTags(out) } : {}),
            };
            manifest.parts.push(entry);
            progress(`${part.name}: ${entry.bytes} bytes from ${part.volume}${entry.tags ? `, ${Object.keys(entry.tags).length} tags` : ""}`);
        }
        writeFileSync(join(work, "slipway-backup.json"), `${JSON.stringify(manifest, null, 2)}\n`);
        await run("tar", ["-cf", file, "-C", work, "slipway-backup.json", ...manifest.parts.map((p) => p.file)]);
        return manifest;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

/** Reads a backup's manifest and checks every part against its sum; the parts land in `work`. */
export async function openBackup(file: string, work: string): Promise<BackupManifest> {
    await run("tar", ["-xf", file, "-C", work]);
    const manifest = JSON.parse(readFileSync(join(work, "slipway-backup.json"), "utf8")) as BackupManifest;
    if (manifest.format !== BACKUP_FORMAT)
        throw new Error(`${file} is not a Slipway backup (format ${JSON.stringify(manifest.format)}, expected ${BACKUP_FORMAT})`);
    for (const part of manifest.parts) {
        const sum = await sha256File(join(work, part.file));
        if (sum !== part.sha256) throw new Error(`${file}: ${part.file} hashes to ${sum}, not the ${part.sha256} its manifest records: the backup is damaged`);
    }
    return manifest;
}

/**
 * Puts a backup's data back on the site: per part, its service stopped, its volume's content
 * replaced by the backup's, the service started again. Another site's backup is refused unless `force`.
 */
export async function restoreSite(site: Site, file: string, opts: { force?: boolean }, env: Env, progress: Progress): Promise<BackupManifest> {
    const work = mkdtempSync(join(tmpdir(), "slipway-restore-"));
    try {
        const manifest = await openBackup(file, work);
        if ((manifest.site.stack !== site.stack || manifest.site.domain !== site.domain) && !opts.force) {
            throw new Error(
                `${file} is a backup of ${manifest.site.stack} (${manifest.site.domain}), not of ${site.stack} (${site.domain}): restore it there, or pass --force to put it here`,
            );
        }
        for (const saved of manifest.parts) {
            const target = site.parts.find((p) => p.name === saved.name);
            if (!target)
                throw new Error(
                    `${file} holds ${saved.name} data, which ${site.stack} does not keep on a volume (its registry storage is S3?): restore it by hand`,
                );
            await restorePart(site, target, join(work, saved.file), env);
            progress(`${saved.name}: ${saved.bytes} bytes into ${target.volume}`);
        }
        return manifest;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

async function restorePart(site: Site, part: DataPart, tar: string, env: Env): Promise<void> {
    const d = (args: string[], timeoutMs = 120_000) => docker(site.endpoint, args, timeoutMs, env);
    const image = await d(["service", "inspect", part.service, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}"]);
    const labels = JSON.parse(await d(["volume", "inspect", part.volume, "--format", "{{json .Labels}}"])) as Record<string, string> | null;
    await d(["service", "scale", "--detach=false", `${part.service}=0`], 300_000);
    try {
        // The stopped tasks' containers still name the volume: they go, so it can be made anew, empty.
        const holders = (await d(["ps", "--all", "--quiet", "--filter", `volume=${part.volume}`])).split("\n").filter(Boolean);
        if (holders.length) await d(["rm", "--force", ...holders]);
        await d(["volume", "rm", part.volume]);
        await d(["volume", "create", ...Object.entries(labels ?? {}).flatMap(([k, v]) => ["--label", `${k}=${v}`]), part.volume]);
        // A container that never runs, from the service's own image, holds the volume while it is filled.
        const holder = await d(["create", "--volume", `${part.volume}:${part.path}`, image]);
        try {
            await dockerStream(site.endpoint, ["cp", "-", `${holder}:${dirname(part.path)}`], env, { in: tar });
        } finally {
            await d(["rm", "--force", holder]);
        }
    } finally {
        await d(["service", "scale", "--detach=false", `${part.service}=1`], 300_000);
    }
}

function run(cmd: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed: ${stderr.trim() || `exit ${code}`}`))));
    });
}
