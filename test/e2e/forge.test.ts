// The platform's forge and CI for real: a throwaway stack with forge.engine gitea comes up on this
// machine's swarm; a person logs in to Gitea and, through it, to Woodpecker (forms, redirects,
// cookies, as a browser does), gets a Woodpecker API token, and both dashboards render in headless
// Chromium (screenshots in test-results/). Then the loop: a repository made at the forge and
// activated in the CI with the site's secrets; a push builds, labels, pushes and signs a staging
// image on the platform's own agent; `up` promotes exactly that digest at that commit and a
// consumer stack serves it; an older expectedRevision is refused; a failing step pushes nothing.
// The CI's OAuth application is made, rotated and deleted through Gitea's API by the stack.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieBrowser, findForm } from "../support/browser";
import { grant } from "../support/ciLogin";
import { cosignKeys, type CosignKeys } from "../support/cosign";
import { docker, must, run } from "../support/exec";
import { scratchDir } from "../support/tmp";
import { slipwayCache } from "../../lib/cache";
import { RegistryClient } from "../../lib/oci/client";
import { ROOT } from "../support/prerequisites";
import { freePort } from "../support/registries";
import { LOCAL_DOMAIN, throwawayPlatform, throwawayStack, type ThrowawayStack } from "../support/stack";
import { basicAuth, call, finishedPipeline, pipelineLogs, type Api, type Pipeline } from "../support/platformApi";
import { SCREENSHOTS, inChromium } from "../support/chromium";
import { resolveIn } from "../support/platformRegistry";

const DOMAIN = LOCAL_DOMAIN;
const ADMIN = "e2e-admin";

/** One GET to this machine's Traefik for `host` (a name /etc/hosts does not hold, like a consumer's service). */
function getHere(host: string, port: number, path: string, ca: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        httpsGet({ host: "127.0.0.1", port, path, headers: { host }, servername: host, ca, timeout: 10_000 }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        }).on("error", reject);
    });
}

function stateText(backend: string): string {
    return readdirSync(backend, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
        .join("\n");
}

describe("the platform's forge and a CI people log in to", () => {
    let t: ThrowawayStack;
    let https: number;
    let ca: string;
    let forge: string;
    let ci: string;
    let password: string;
    let browser: CookieBrowser;
    /** The admin's Woodpecker API token, from the login. */
    let ciToken: string;
    /** The site's cosign key, as CI holds it (repository secrets) and promotion verifies it (signing.publicKey). */
    let site: CosignKeys;
    let work: string;

    beforeAll(async () => {
        https = await freePort();
        site = await cosignKeys("e2e-site-key-password");
        work = scratchDir("slipway-e2e-forge-");
        const http = await freePort();
        t = await throwawayStack((id) => ({
            ...throwawayPlatform(id, { http, https }),
            "slipway:forge.engine": { value: "gitea" },
            "slipway:forge.adminUser": { value: ADMIN },
        }));
    });
    afterAll(async () => {
        browser?.close();
        await t?.dispose();
    });

    /** Gitea's API as the admin. */
    const forgeApi = <T>(method: string, path: string, body?: unknown) =>
        call<T>({ browser, base: `${forge}/api/v1`, authorization: basicAuth(ADMIN, password) }, method, path, body);

    /** The OAuth2 applications Gitea holds for its admin. */
    const oauthApps = () => forgeApi<Array<{ id: number; name: string; client_id: string; redirect_uris: string[] }>>("GET", "user/applications/oauth2");

    it("up runs Gitea at git.<domain>, its admin's password a generated secret, and the CI's OAuth application made there", async () => {
        const result = await t.stack.up();
        expect(result.summary.result).toBe("succeeded");
        const outputs = await t.stack.outputs();
        forge = outputs.forgeUrl?.value as string;
        ci = outputs.ciUrl?.value as string;
        ca = outputs.proxyCaCertificate?.value as string;
        expect(forge).toBe(`https://git.${DOMAIN}:${https}`);
        expect(outputs.forgeAdminUser?.value).toBe(ADMIN);
        expect(outputs.forgeAdminPassword?.secret).toBe(true);
        password = outputs.forgeAdminPassword?.value as string;
        expect(password.length).toBeGreaterThanOrEqual(32);
        // Never in plaintext in the state.
        expect(stateText(t.backend)).not.toContain(password);

        browser = new CookieBrowser(ca);
        const version = await browser.fetch("GET", `${forge}/api/v1/version`);
        expect(JSON.parse(version.body)).toEqual({ version: "1.26.0" });
        const apps = await oauthApps();
        expect(apps.map((a) => [a.name, a.redirect_uris])).toEqual([[`Slipway CI (${t.stack.name})`, [`${ci}/authorize`]]]);
        // The CI runs with exactly that client.
        const env = await docker("service", "inspect", `${t.stack.name}-ci_server`, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}");
        expect(env).toContain(`WOODPECKER_GITEA_CLIENT=${apps[0]!.client_id}`);
        expect(env).not.toMatch(/gto_|client_secret/i);
    });

    it("a person logs in to Gitea, then to Woodpecker through it, and gets an API token", async () => {
        // Woodpecker's login sends the browser to Gitea, which asks for its own login first.
        const toForge = await browser.get(`${ci}/login`);
        expect(toForge.url).toMatch(new RegExp(`^${forge}/user/login`));
        const login = findForm(toForge, "password");
        expect(login?.action).toMatch(new RegExp(`^${forge}/user/login`));
        const wrong = await browser.submit(login!.action, { ...login!.hidden, user_name: ADMIN, password: "not-the-password" });
        expect(wrong.url).not.toMatch(new RegExp(`^${ci}`));
        // Signed in, Gitea asks once whether the CI may act for this user; a person grants it.
        const consent = await browser.submit(login!.action, { ...login!.hidden, user_name: ADMIN, password });
        expect(consent.body).toMatch(new RegExp(`Authorize (&#34;|")Slipway CI \\(${t.stack.name}\\)`));
        const home = await grant(browser, consent);
        expect(home.hops.some((h) => h.startsWith(`${ci}/authorize?code=`))).toBe(true);
        expect(home.url).toMatch(new RegExp(`^${ci}/(repos)?$`));
        expect(home.status).toBe(200);
        expect(browser.cookies(new URL(ci).host)).toHaveProperty("user_sess");

        // A personal token, as the UI's user settings get it: the session plus its CSRF token.
        const config = await browser.fetch("GET", `${ci}/web-config.js`);
        const ciCsrf = /WOODPECKER_CSRF = "([^"]+)"/.exec(config.body)?.[1];
        expect(ciCsrf).toBeTruthy();
        const token = await browser.fetch("POST", `${ci}/api/user/token`, { "x-csrf-token": ciCsrf! });
        expect(token.status).toBe(200);
        ciToken = token.body.trim();
        // The token alone is enough: no cookie, as a script or woodpecker-cli would call.
        const user = await new CookieBrowser(ca).fetch("GET", `${ci}/api/user`, { authorization: `Bearer ${token.body.trim()}` });
        expect(user.status).toBe(200);
        expect(JSON.parse(user.body)).toMatchObject({ login: ADMIN, admin: true });
    });

    it("both dashboards render in a real browser, not a placeholder", async () => {
        await inChromium(browser, [forge, ci], https, async (page) => {
            // "load", not network idle: Gitea keeps an event stream open for notifications.
            await page.goto(`${forge}/`, { waitUntil: "load", timeout: 60_000 });
            // Signed in: Gitea's dashboard names its user; its stylesheet applied (not a bare page).
            expect(await page.evaluate("document.body.innerText")).toContain(ADMIN);
            // Styled: the navbar is laid out by Gitea's stylesheet, not stacked as a bare page would be.
            expect(await page.evaluate("getComputedStyle(document.querySelector('#navbar')).display")).toBe("flex");
            await page.screenshot({ path: join(SCREENSHOTS, "gitea-dashboard.png") });

            await page.goto(`${ci}/`, { waitUntil: "load", timeout: 60_000 });
            // The Vue app rendered the repository list page (a placeholder page has no such button).
            await page.waitForFunction("document.body.innerText.includes('Add repository')", { timeout: 30_000 });
            await page.screenshot({ path: join(SCREENSHOTS, "woodpecker-dashboard.png") });
        });
    });

    it("a user the forge's admin made logs in to the CI too, not as an admin", async () => {
        await forgeApi("POST", "admin/users", {
            username: "e2e-dev",
            email: "e2e-dev@example.org",
            password: "e2e-dev-password-1",
            must_change_password: false,
        });
        const dev = new CookieBrowser(ca);
        try {
            const login = findForm(await dev.get(`${ci}/login`), "password")!;
            const home = await grant(dev, await dev.submit(login.action, { ...login.hidden, user_name: "e2e-dev", password: "e2e-dev-password-1" }));
            expect(home.url).toMatch(new RegExp(`^${ci}/(repos)?$`));
            const config = await dev.fetch("GET", `${ci}/web-config.js`);
            const csrf = /WOODPECKER_CSRF = "([^"]+)"/.exec(config.body)![1]!;
            const token = (await dev.fetch("POST", `${ci}/api/user/token`, { "x-csrf-token": csrf })).body.trim();
            const user = await dev.fetch("GET", `${ci}/api/user`, { authorization: `Bearer ${token}` });
            const body = JSON.parse(user.body) as { login: string; admin?: boolean };
            // Woodpecker omits `admin` when it is false.
            expect([body.login, body.admin ?? false]).toEqual(["e2e-dev", false]);
        } finally {
            dev.close();
        }
    });

    /** Woodpecker's API as the admin, with the token. */
    const ciAs = (): Api => ({ browser, base: `${ci}/api`, authorization: `Bearer ${ciToken}` });
    const ciApi = <T>(method: string, path: string, body?: unknown) => call<T>(ciAs(), method, path, body);

    let repoId: number;
    /** The commit the first pipeline built: what the promotion expects. */
    let firstSha: string;
    let registry: string;
    const git = (...args: string[]) =>
        must("git", ["-c", "user.name=e2e", "-c", "user.email=e2e@example.org", ...args], {
            cwd: join(work, "web"),
            env: { ...process.env, GIT_SSL_CAINFO: join(work, "ca.pem") },
        });

    /** Commits the app with `step` as the pipeline's publish command, pushes it, and waits (bounded) for its pipeline to finish. */
    async function pushAndWait(message: string, step: string): Promise<{ sha: string; pipeline: Pipeline }> {
        const outputs = await t.stack.outputs();
        const build = (outputs.ciStepImages?.value as { build: string }).build;
        writeFileSync(join(work, "web", "app", "www", "index.html"), `<p>${message}</p>\n`);
        writeFileSync(
            join(work, "web", ".woodpecker.yaml"),
            [
                "steps:",
                "  publish:",
                `    image: ${build}`,
                "    secrets: [registry_username, registry_password, cosign_private_key, cosign_password]",
                "    commands:",
                "      - cp /usr/local/bin/busybox app/busybox",
                `      - ${step}`,
                "",
            ].join("\n"),
        );
        await git("add", "-A");
        await git("commit", "-q", "-m", message);
        const sha = (await git("rev-parse", "HEAD")).trim();
        await git("push", "-q", "origin", "main");
        // Bounded: the forge's webhook reaches the CI, the agent runs the clone and publish steps.
        return { sha, pipeline: await finishedPipeline(ciAs(), repoId, (p) => p.commit === sha, 180) };
    }

    const logs = (pipeline: Pipeline) => pipelineLogs(ciAs(), repoId, pipeline);

    it("a repository made at the forge and activated in the CI, with the site's secrets, builds a signed staging image from a push", async () => {
        const outputs = await t.stack.outputs();
        registry = outputs.registryHost?.value as string;
        const repo = await forgeApi<{ id: number; clone_url: string }>("POST", "user/repos", { name: "web", default_branch: "main", private: true });
        // The operator's command: activates it, sets the registry's credentials from the stack and the site's cosign key from its file.
        const secrets = {
            registry_username: outputs.registryUsername?.value as string,
            registry_password: outputs.registryPassword?.value as string,
            cosign_private_key: readFileSync(site.key, "utf8"),
            cosign_password: site.password,
        };
        const env = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${t.backend}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway",
            WOODPECKER_TOKEN: ciToken,
            COSIGN_PASSWORD: site.password,
        };
        const activate = await run("node", ["bin/tooling/ciRepo.js", "--stack", t.stack.name, `${ADMIN}/web`, "--cosign-key", site.key], { cwd: ROOT, env });
        expect(activate.code, activate.stderr).toBe(0);
        for (const value of [secrets.registry_password, secrets.cosign_private_key, secrets.cosign_password])
            expect(activate.stdout + activate.stderr).not.toContain(value);
        const active = await ciApi<{ id: number; full_name: string; active: boolean }>("GET", `repos/lookup/${ADMIN}/web`);
        expect(active).toMatchObject({ full_name: `${ADMIN}/web`, active: true });
        repoId = active.id;
        expect((await ciApi<Array<{ name: string }>>("GET", `repos/${repoId}/secrets`)).map((x) => x.name).sort()).toEqual(Object.keys(secrets).sort());
        // Again: nothing new, the same secrets (their values replaced).
        const again = await run("node", ["bin/tooling/ciRepo.js", "--stack", t.stack.name, `${ADMIN}/web`, "--cosign-key", site.key], { cwd: ROOT, env });
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toContain("secret registry_password: updated");
        expect(repo.id).toBeGreaterThan(0);

        // The app: a page and a static busybox to serve it; pushed over HTTPS through Traefik.
        mkdirSync(join(work, "web", "app", "www"), { recursive: true });
        writeFileSync(join(work, "ca.pem"), ca);
        await git("init", "-q", "-b", "main");
        await git("remote", "add", "origin", repo.clone_url.replace("https://", `https://${ADMIN}:${encodeURIComponent(password)}@`));
        const { sha, pipeline } = await pushAndWait("first", `slipway-publish app ${registry}/apps/web:staging /busybox httpd -f -p 8080 -h /www`);
        firstSha = sha;
        const text = await logs(pipeline);
        expect(pipeline.status, text).toBe("success");
        // Woodpecker masks every secret value in logs, the registry's user name ("slipway") too, wherever it appears.
        expect(text).toMatch(new RegExp(`^cloned https://git\\.local\\.\\S+/${ADMIN}/web\\.git at ${sha}$`, "m"));
        // No secret value reaches a log.
        for (const value of Object.values(secrets)) expect(text).not.toContain(value.trim().split("\n")[1] ?? value);
        expect(text).not.toContain(password);

        // Staging names an image labelled with that commit.
        const client = new RegistryClient({ registry, ca, credentials: { username: secrets.registry_username, password: secrets.registry_password } });
        try {
            const staged = await client.resolve("apps/web", "staging");
            expect(text).toContain(`/apps/web@${staged}`);
            const manifest = JSON.parse((await client.getManifest("apps/web", staged)).bytes.toString()) as { config: { digest: string } };
            const config = JSON.parse((await client.getBlob("apps/web", manifest.config.digest)).toString()) as { config: { Labels: Record<string, string> } };
            expect(config.config.Labels["org.opencontainers.image.revision"]).toBe(sha);
        } finally {
            client.close();
        }
    });

    it("up promotes exactly the staging digest at that commit, verified with the site key, and a consumer stack serves it", async () => {
        const set = (key: string, value: string, secret = false) => t.stack.setConfig(`slipway:${key}`, { value, secret }, !secret);
        await set("signing.publicKey", site.publicKeyPem);
        await set("promotion[0].name", "web");
        await set("promotion[0].source", `${registry}/apps/web:staging`);
        await set("promotion[0].target", `${registry}/apps/web:prod`);
        await set("promotion[0].expectedRevision", firstSha);
        await set("promotion[0].requireSignature", "true");
        expect((await t.stack.up()).summary.result).toBe("succeeded");
        const promoted = ((await t.stack.outputs()).promotions?.value as Record<string, { ref: string; revision: string; signer: string }>).web!;
        expect(promoted.revision).toBe(firstSha);
        expect(promoted.signer).toMatch(/^key/);

        const consumer = await throwawayStack(
            () => ({
                "slipway-consumer:producer": { value: `organization/slipway/${t.stack.name}` },
                "slipway-consumer:service": { value: JSON.stringify({ promotion: "web", port: 8080 }) },
            }),
            join(ROOT, "examples", "consumer"),
            t.backend,
        );
        try {
            const result = await consumer.stack.up();
            expect(result.outputs.serviceImage?.value).toBe(promoted.ref);
            let page = { status: 0, body: "" };
            for (let i = 0; i < 60 && page.status !== 200; i++) {
                page = await getHere(`web.${DOMAIN}`, https, "/index.html", ca).catch(() => ({ status: 0, body: "" }));
                if (page.status !== 200) await new Promise((r) => setTimeout(r, 1000));
            }
            expect(page).toMatchObject({ status: 200, body: "<p>first</p>\n" });
        } finally {
            await consumer.dispose();
        }
    });

    it("a second push moves staging, and up with the old expectedRevision refuses it, prod untouched", async () => {
        const before = ((await t.stack.outputs()).promotions?.value as Record<string, { digest: string }>).web!.digest;
        const { pipeline } = await pushAndWait("second", `slipway-publish app ${registry}/apps/web:staging /busybox httpd -f -p 8080 -h /www`);
        expect(pipeline.status).toBe("success");
        await expect(t.stack.up()).rejects.toThrow(new RegExp(firstSha));
        expect(await resolveIn(t.stack, "apps/web", "prod")).toBe(before);
        expect(await resolveIn(t.stack, "apps/web", "staging")).not.toBe(before);
        // Back to a configuration that converges, for what follows.
        await t.stack.removeConfig("slipway:promotion");
        await t.stack.removeConfig("slipway:signing");
    });

    it("a failing step fails the pipeline, as the API reports, and nothing is pushed", async () => {
        const staged = await resolveIn(t.stack, "apps/web", "staging");
        const { pipeline } = await pushAndWait("broken", `exit 1 && slipway-publish app ${registry}/apps/web:staging`);
        expect(pipeline.status).toBe("failure");
        expect(await resolveIn(t.stack, "apps/web", "staging")).toBe(staged);
    });

    it("rotating the CI's client secret updates the application in place, and the CI still logs in with it", async () => {
        const [before] = await oauthApps();
        await t.stack.setConfig("slipway:ci.secretRotation", { value: "1" }, true);
        expect((await t.stack.up()).summary.result).toBe("succeeded");
        const [after] = await oauthApps();
        expect(after!.id).toBe(before!.id);
        // A fresh browser: Gitea's session makes the round trip without a form; the CI accepts the new secret.
        const again = new CookieBrowser(ca);
        try {
            const toForge = await again.get(`${ci}/login`);
            const login = findForm(toForge, "password")!;
            // Granted before: no question this time.
            const home = await again.submit(login.action, { ...login.hidden, user_name: ADMIN, password });
            expect(home.url).toMatch(new RegExp(`^${ci}/(repos)?$`));
            expect(again.cookies(new URL(ci).host)).toHaveProperty("user_sess");
        } finally {
            again.close();
        }
    });

    it("a password rotation gives the forge's admin a new password, and the old one stops working", async () => {
        const old = password;
        await t.stack.setConfig("slipway:forge.passwordRotation", { value: "1" }, true);
        expect((await t.stack.up()).summary.result).toBe("succeeded");
        password = (await t.stack.outputs()).forgeAdminPassword?.value as string;
        expect(password).not.toBe(old);
        const as = (pw: string) => browser.fetch("GET", `${forge}/api/v1/user`, { authorization: basicAuth(ADMIN, pw) });
        expect((await as(password)).status).toBe(200);
        expect((await as(old)).status).toBe(401);
    });

    it("destroying the application deletes it at the forge; the next up makes it again", async () => {
        const state = (await t.stack.exportStack()).deployment as { resources: Array<{ urn: string; type: string }> };
        const app = state.resources.find((r) => r.type === "pulumi-nodejs:dynamic/slipway:ForgeOAuthApp");
        expect(app).toBeDefined();
        await t.stack.destroy({ target: [app!.urn], targetDependents: true });
        expect(await oauthApps()).toEqual([]);
        expect((await t.stack.up()).summary.result).toBe("succeeded");
        expect((await oauthApps()).map((a) => a.name)).toEqual([`Slipway CI (${t.stack.name})`]);
    });

    it("destroy (data policy delete) leaves nothing of the forge or the CI on the engine, nor the admin login in the cache", async () => {
        expect((await t.stack.destroy()).summary.result).toBe("succeeded");
        const prefix = `${t.stack.name}-`;
        for (const kind of ["service", "secret", "config", "volume", "network"]) {
            const names = (await docker(kind, "ls", "--format", "{{.Name}}")).split("\n").filter((n) => n.startsWith(prefix));
            expect(names, kind).toEqual([]);
        }
        // The admin's login folder went with it.
        expect(existsSync(join(slipwayCache(), "forge-auth", t.stack.name))).toBe(false);
    });
});
