// Platform images onto a node that cannot pull them: the images setup assembled exist only in
// this machine's engine, content-addressed (their ID is the digest of their config). A node
// gets exactly the IDs it lacks, for its own architecture, over the connection that reaches
// its engine (`docker save | docker load`, no registry, nothing from the internet), tagged
// there with their readable names. A node that has them all gets nothing.
import { spawn } from "node:child_process";
import { docker, DockerError } from "./cli";
import { architectureOf } from "./manager";

/** One image as setup recorded it: a readable name and the ID services run. */
export interface ShippedImage {
    ref: string;
    id: string;
}

/** Per architecture (amd64, arm64), the images by role. */
export type ImagesByArch = Record<string, Record<string, ShippedImage>>;

type Env = NodeJS.ProcessEnv;

/** The node's architecture, as image platforms name it. */
export async function nodeArchitecture(endpoint: string, env: Env): Promise<string> {
    return architectureOf(await docker(endpoint, ["info", "--format", "{{.Architecture}}"], 60_000, env));
}

/** The images for the node's architecture, or a refusal naming it. */
export function imagesFor(byArch: ImagesByArch, architecture: string, endpoint: string): Record<string, ShippedImage> {
    const images = byArch[architecture];
    if (!images) throw new Error(`${endpoint} is ${architecture}: Slipway's platform images are assembled for ${Object.keys(byArch).join(" and ")} only`);
    return images;
}

/** The IDs of `wanted` the node's engine does not have. */
export async function missingImages(endpoint: string, wanted: readonly string[], env: Env): Promise<string[]> {
    const present = new Set((await docker(endpoint, ["image", "ls", "--all", "--no-trunc", "--quiet"], 60_000, env)).split("\n").filter(Boolean));
    return [...new Set(wanted)].filter((id) => !present.has(id));
}

/**
 * Ships `images` that the node lacks from this machine's engine, then tags them there. Returns
 * the IDs it shipped (none when the node had them all). Refuses an image this machine lacks.
 */
export async function shipImages(endpoint: string, images: readonly ShippedImage[], env: Env): Promise<string[]> {
    const missing = new Set(
        await missingImages(
            endpoint,
            images.map((i) => i.id),
            env,
        ),
    );
    const toShip = images.filter((i) => missing.has(i.id));
    if (toShip.length > 0) {
        const local = await missingImages(
            "unix:///var/run/docker.sock",
            toShip.map((i) => i.id),
            {},
        );
        if (local.length > 0) throw new Error(`this machine's engine lacks ${local.join(", ")}: run scripts/setup, which assembles the platform images`);
        await pipeSaveLoad(endpoint, [...new Set(toShip.map((i) => i.id))], env);
        const still = await missingImages(
            endpoint,
            toShip.map((i) => i.id),
            env,
        );
        if (still.length > 0) throw new Error(`${endpoint}: docker load finished but ${still.join(", ")} is not there`);
    }
    // Names for people reading `docker images` there; the services run the IDs.
    for (const image of images) await docker(endpoint, ["tag", image.id, image.ref], 60_000, env);
    return [...new Set(toShip.map((i) => i.id))];
}

/** Removes the images from the node; one already gone, or still used by a container, is left and said. */
export async function removeImages(endpoint: string, images: readonly ShippedImage[], env: Env): Promise<string[]> {
    const left: string[] = [];
    for (const image of images) {
        try {
            await docker(endpoint, ["image", "rm", "--force", image.id], 60_000, env);
        } catch (error) {
            if (error instanceof DockerError && /no such image/i.test(error.stderr)) continue;
            left.push(`${image.ref} (${error instanceof DockerError ? error.stderr : (error as Error).message})`);
        }
    }
    return left;
}

/** `docker save <ids>` here piped into `docker load` there, both checked, bounded in time. */
function pipeSaveLoad(endpoint: string, ids: readonly string[], env: Env, timeoutMs = 900_000): Promise<void> {
    return new Promise((resolve, reject) => {
        const save = spawn("docker", ["save", ...ids], {
            env: { ...process.env, DOCKER_HOST: "unix:///var/run/docker.sock" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const load = spawn("docker", ["load", "--quiet"], { env: { ...process.env, ...env, DOCKER_HOST: endpoint }, stdio: ["pipe", "pipe", "pipe"] });
        save.stdout.pipe(load.stdin);
        const errors = { save: "", load: "" };
        save.stderr.on("data", (c: Buffer) => (errors.save += c.toString()));
        load.stderr.on("data", (c: Buffer) => (errors.load += c.toString()));
        const timer = setTimeout(() => {
            save.kill("SIGKILL");
            load.kill("SIGKILL");
        }, timeoutMs);
        let saved: number | null | undefined;
        save.on("error", reject);
        load.on("error", reject);
        save.on("close", (code) => (saved = code));
        load.on("close", (code) => {
            clearTimeout(timer);
            if (saved !== 0 && saved !== undefined) return reject(new Error(`docker save on this machine failed: ${errors.save.trim() || `exit ${saved}`}`));
            if (code !== 0) return reject(new Error(`docker load on ${endpoint} failed: ${errors.load.trim() || `exit ${code}`}`));
            resolve();
        });
    });
}
