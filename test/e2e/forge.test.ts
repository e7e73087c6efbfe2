// The platform's forge for real: a throwaway stack with forge.engine gitea comes up on this
// machine's swarm; a person logs in to Gitea and, through it, to Woodpecker (forms, redirects,
// cookies, as a browser does), gets a Woodpecker API token, and both dashboards render in
// headless Chromium (screenshots in test-results/). The CI's OAuth application is made, rotated
// and deleted through Gitea's API by the stack.
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import * as tls from "node:tls";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieBrowser, findForm, type Page } from "../support/browser";
import { docker } from "../support/exec";
import { ROOT } from "../support/prerequisites";
import { freePort } from "../support/registries";
import { throwawayStack, type ThrowawayStack } from "../support/stack";

const DOMAIN = "local.slipway.test";
const ADMIN = "e2e-admin";
const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

/** base64(sha256(SubjectPublicKeyInfo)) of the certificate a TLS server presents for `host`: what Chromium pins. */
function spkiPin(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port, servername: host, rejectUnauthorized: false }, () => {
            const der = socket.getPeerCertificate().raw;
            socket.end();
            resolve(createHash("sha256").update(new X509Certificate(der).publicKey.export({ type: "spki", format: "der" })).digest("base64"));
        });
        socket.on("error", reject);
    });
}

/** Presses "Authorize Application" on Gitea's consent page, and follows where it leads. */
async function grant(browser: CookieBrowser, consent: Page): Promise<Page> {
    const form = findForm(consent, "redirect_uri");
    expect(form?.action).toMatch(/\/login\/oauth\/grant$/);
    return browser.submit(form!.action, { ...form!.hidden, granted: "true" });
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

    beforeAll(async () => {
        https = await freePort();
        const http = await freePort();
        t = await throwawayStack((id) => ({
            "slipway:host.networkName": { value: `e2e-${id}-proxy` },
            "slipway:host.dataOnDestroy": { value: "delete" },
            "slipway:proxy.domain": { value: DOMAIN },
            "slipway:proxy.httpPort": { value: String(http) },
            "slipway:proxy.httpsPort": { value: String(https) },
            "slipway:forge.engine": { value: "gitea" },
            "slipway:forge.adminUser": { value: ADMIN },
        }));
    });
    afterAll(async () => {
        browser?.close();
        await t?.dispose();
    });

    /** The OAuth2 applications Gitea holds for its admin. */
    async function oauthApps(): Promise<Array<{ id: number; name: string; client_id: string; redirect_uris: string[] }>> {
        const res = await browser.fetch("GET", `${forge}/api/v1/user/applications/oauth2`, { authorization: `Basic ${Buffer.from(`${ADMIN}:${password}`).toString("base64")}`, accept: "application/json" });
        expect(res.status).toBe(200);
        return JSON.parse(res.body) as Array<{ id: number; name: string; client_id: string; redirect_uris: string[] }>;
    }

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
        // The token alone is enough: no cookie, as a script or woodpecker-cli would call.
        const user = await new CookieBrowser(ca).fetch("GET", `${ci}/api/user`, { authorization: `Bearer ${token.body.trim()}` });
        expect(user.status).toBe(200);
        expect(JSON.parse(user.body)).toMatchObject({ login: ADMIN, admin: true });
    });

    it("both dashboards render in a real browser, not a placeholder", async () => {
        const puppeteer = await import("puppeteer-core");
        mkdirSync(SCREENSHOTS, { recursive: true });
        // Chromium takes no extra CA on its command line: the site certificate's key is pinned instead (errors for any other stay errors).
        const pin = await spkiPin(new URL(forge).hostname, https);
        const chromium = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", `--ignore-certificate-errors-spki-list=${pin}`], headless: true });
        try {
            const page = await chromium.newPage();
            await page.setViewport({ width: 1280, height: 800 });
            for (const url of [forge, ci]) {
                const { hostname } = new URL(url);
                await chromium.setCookie(...Object.entries(browser.cookies(new URL(url).host)).map(([name, value]) => ({ name, value, domain: hostname, path: "/" })));
            }
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
        } finally {
            await chromium.close();
        }
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

    it("destroying the application deletes it at the forge; the next up makes it again", async () => {
        const state = (await t.stack.exportStack()).deployment as { resources: Array<{ urn: string; type: string }> };
        const app = state.resources.find((r) => r.type === "pulumi-nodejs:dynamic/slipway:ForgeOAuthApp");
        expect(app).toBeDefined();
        await t.stack.destroy({ target: [app!.urn], targetDependents: true });
        expect(await oauthApps()).toEqual([]);
        expect((await t.stack.up()).summary.result).toBe("succeeded");
        expect((await oauthApps()).map((a) => a.name)).toEqual([`Slipway CI (${t.stack.name})`]);
    });
});
