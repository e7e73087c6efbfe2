// The gitea image as setup assembled it (Gitea with its web UI embedded, Debian's git, busybox for
// the repository hooks' sh), run as a plain container on a fresh volume: bootstrapped headless
// (migrate, an admin), it serves its styled login page from the one binary, answers its API, and
// takes a push over HTTP that its hooks record.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformImage } from "../../lib/images/images";
import { docker, must } from "../support/exec";
import { freePort } from "../support/registries";
import { scratchDir } from "../support/tmp";

const ADMIN = { username: "slipway", password: `pw-${randomBytes(12).toString("hex")}`, email: "slipway@example.invalid" };
const auth = { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}` };

/** A headless install: the install page locked, SQLite on the volume, hooks run by sh, every secret given (a read-only app.ini cannot be written back). */
function appIni(rootUrl: string): string {
    const secret = () => randomBytes(32).toString("base64url");
    return [
        "RUN_MODE = prod",
        "[server]",
        "HTTP_ADDR = 0.0.0.0",
        "HTTP_PORT = 3000",
        `ROOT_URL = ${rootUrl}`,
        "DISABLE_SSH = true",
        "APP_DATA_PATH = /data/gitea",
        "[database]",
        "DB_TYPE = sqlite3",
        "PATH = /data/gitea/gitea.db",
        "[repository]",
        "ROOT = /data/git/repositories",
        "SCRIPT_TYPE = sh",
        "[security]",
        "INSTALL_LOCK = true",
        `SECRET_KEY = ${secret()}`,
        `INTERNAL_TOKEN = ${secret()}`,
        "[oauth2]",
        `JWT_SECRET = ${secret()}`,
        "[log]",
        "MODE = console",
        "LEVEL = info",
        "",
    ].join("\n");
}

describe("gitea image", () => {
    const dir = scratchDir("slipway-gitea-");
    const name = `slipway-test-gitea-${process.pid}`;
    let id: string;
    let base: string;
    /** `docker run` of the image with the volume and the config, as every step of the bootstrap runs it. */
    const withData = () => ["-v", `${name}:/data`, "-v", `${join(dir, "app.ini")}:/etc/gitea/app.ini:ro`];
    /** Host git, away from this machine's user and system config. */
    const git = (cwd: string, ...args: string[]) =>
        must("git", ["-c", "user.name=Slipway Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", ...args], {
            cwd,
            env: { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" },
        });

    beforeAll(async () => {
        id = platformImage("gitea").id;
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        writeFileSync(join(dir, "app.ini"), appIni(`${base}/`), { mode: 0o644 });
        await docker("volume", "create", name);
        await must("docker", ["run", "--rm", ...withData(), id, "migrate", "-c", "/etc/gitea/app.ini"], { timeoutMs: 120_000 });
        await must("docker", [
            "run",
            "--rm",
            ...withData(),
            id,
            "admin",
            "user",
            "create",
            "--admin",
            "--username",
            ADMIN.username,
            "--password",
            ADMIN.password,
            "--email",
            ADMIN.email,
            "--must-change-password=false",
            "-c",
            "/etc/gitea/app.ini",
        ]);
        await docker("run", "-d", "--name", name, "-p", `127.0.0.1:${port}:3000`, ...withData(), id, "web", "-c", "/etc/gitea/app.ini");
        for (let i = 0; i < 120; i++) {
            if (
                await fetch(`${base}/api/v1/version`).then(
                    (r) => r.ok,
                    () => false,
                )
            )
                return;
            await new Promise((r) => setTimeout(r, 250));
        }
        throw new Error(`gitea did not answer within 30 s: ${await docker("logs", name).catch(String)}`);
    }, 180_000);
    afterAll(async () => {
        await docker("rm", "-f", name).catch(() => undefined);
        await docker("volume", "rm", "-f", name).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
    });

    it("runs as its own user, who owns the fresh volume at /data", async () => {
        expect(await docker("exec", name, "id")).toBe("uid=1000(git) gid=1000(git) groups=1000(git)");
        expect(await docker("exec", name, "stat", "-c", "%U:%G", "/data", "/data/gitea/gitea.db")).toBe("git:git\ngit:git");
    });

    it("reports the pinned version", async () => {
        const res = await fetch(`${base}/api/v1/version`);
        expect(await res.json()).toEqual({ version: "1.26.0" });
    });

    it("serves its login page with every stylesheet and script it references, from the one binary", async () => {
        const res = await fetch(`${base}/user/login`);
        expect(res.status).toBe(200);
        const html = await res.text();
        const assets = [...html.matchAll(/<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+\.(?:css|js)(?:\?[^"]*)?)"/g)].map(
            (m) => new URL(m[1]!.replaceAll("&amp;", "&"), base).href,
        );
        expect(assets.filter((a) => /\.css(\?|$)/.test(a)).length, html).toBeGreaterThan(0);
        expect(assets.filter((a) => /\.js(\?|$)/.test(a)).length, html).toBeGreaterThan(0);
        for (const asset of assets) {
            const got = await fetch(asset);
            expect(got.status, asset).toBe(200);
            expect((await got.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
        }
    });

    it("an admin creates a repository through the API, and a push over HTTP runs its hooks", async () => {
        const created = await fetch(`${base}/api/v1/user/repos`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ name: "probe", default_branch: "main" }),
        });
        expect(created.status, await created.clone().text()).toBe(201);
        expect(((await created.json()) as { empty: boolean }).empty).toBe(true);

        const url = new URL(`${base}/${ADMIN.username}/probe.git`);
        url.username = ADMIN.username;
        url.password = ADMIN.password;
        await git(dir, "clone", "-q", url.href, "probe");
        const work = join(dir, "probe");
        writeFileSync(join(work, "README.md"), "pushed by the Slipway test\n");
        await git(work, "add", "README.md");
        await git(work, "commit", "-q", "-m", "first commit");
        await git(work, "push", "-q", "origin", "HEAD:main");
        const head = await git(work, "rev-parse", "HEAD");

        // The post-receive hook records the branch and queues the push, whose handler marks the
        // repository non-empty (until then the branch API has no git repository to read: wait).
        const repoApi = `${base}/api/v1/repos/${ADMIN.username}/probe`;
        let empty = true;
        for (let i = 0; i < 60 && empty; i++) {
            if (i > 0) await new Promise((r) => setTimeout(r, 250));
            empty = ((await (await fetch(repoApi, { headers: auth })).json()) as { empty: boolean }).empty;
        }
        expect(empty, "the repository is still empty 15 s after the push: the post-receive hook did not report it").toBe(false);
        const branch = await fetch(`${repoApi}/branches/main`, { headers: auth });
        expect(branch.status).toBe(200);
        expect(((await branch.json()) as { commit: { id: string } }).commit.id).toBe(head);
        // And a fresh clone over HTTP has the commit.
        await git(dir, "clone", "-q", url.href, "again");
        expect(await git(join(dir, "again"), "rev-parse", "HEAD")).toBe(head);
    });
});
