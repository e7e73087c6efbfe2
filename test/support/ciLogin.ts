// A person's way into the platform's CI: Woodpecker's login sends the browser to the forge
// (Gitea), which signs them in and asks once whether the CI may act for them; then a personal
// API token, as the CI's user settings get it (the session plus its CSRF token).
import { expect } from "vitest";
import { findForm, type CookieBrowser, type Page } from "./browser";

/** Presses "Authorize Application" on Gitea's consent page, and follows where it leads. */
export async function grant(browser: CookieBrowser, consent: Page): Promise<Page> {
    const form = findForm(consent, "redirect_uri");
    expect(form?.action).toMatch(/\/login\/oauth\/grant$/);
    return browser.submit(form!.action, { ...form!.hidden, granted: "true" });
}

/** Logs `user` in to the CI at `ci` through its forge and returns a personal API token. */
export async function ciToken(browser: CookieBrowser, ci: string, user: string, password: string): Promise<string> {
    const login = findForm(await browser.get(`${ci}/login`), "password");
    if (!login) throw new Error(`${ci}/login did not lead to the forge's login form`);
    const home = await grant(browser, await browser.submit(login.action, { ...login.hidden, user_name: user, password }));
    if (!home.url.startsWith(ci)) throw new Error(`the login of ${user} ended at ${home.url}, not the CI`);
    const csrf = /WOODPECKER_CSRF = "([^"]+)"/.exec((await browser.fetch("GET", `${ci}/web-config.js`)).body)?.[1];
    if (!csrf) throw new Error(`${ci}/web-config.js has no CSRF token`);
    const token = await browser.fetch("POST", `${ci}/api/user/token`, { "x-csrf-token": csrf });
    if (token.status !== 200) throw new Error(`POST ${ci}/api/user/token answered ${token.status}`);
    return token.body.trim();
}
