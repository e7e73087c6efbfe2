// A real browser for the platform's web UIs: Debian's headless Chromium through puppeteer-core,
// signed in with the test's cookies, trusting exactly the site's certificate (by its key's pin:
// Chromium takes no extra CA on its command line, and an error for any other certificate stays one).
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tls from "node:tls";
import type { Page } from "puppeteer-core" with { "resolution-mode": "import" };
import type { CookieBrowser } from "./browser";
import { ROOT } from "./prerequisites";

/** Where screenshots go, for people to look at. */
export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

/** base64(sha256(SubjectPublicKeyInfo)) of the certificate a TLS server presents for `host`: what Chromium pins. */
export function spkiPin(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port, servername: host, rejectUnauthorized: false }, () => {
            const der = socket.getPeerCertificate().raw;
            socket.end();
            resolve(
                createHash("sha256")
                    .update(new X509Certificate(der).publicKey.export({ type: "spki", format: "der" }))
                    .digest("base64"),
            );
        });
        socket.on("error", reject);
    });
}

/** Runs `use` with a 1280×800 page of a headless Chromium carrying `browser`'s cookies for each of `sites`, then closes it. */
export async function inChromium(browser: CookieBrowser, sites: readonly string[], port: number, use: (page: Page) => Promise<void>): Promise<void> {
    const puppeteer = await import("puppeteer-core");
    mkdirSync(SCREENSHOTS, { recursive: true });
    const pin = await spkiPin(new URL(sites[0]!).hostname, port);
    const chromium = await puppeteer.launch({
        executablePath: "/usr/bin/chromium",
        args: ["--no-sandbox", "--disable-gpu", `--ignore-certificate-errors-spki-list=${pin}`],
        headless: true,
    });
    try {
        const page = await chromium.newPage();
        await page.setViewport({ width: 1280, height: 800 });
        for (const site of sites) {
            const { host, hostname } = new URL(site);
            await chromium.setCookie(...Object.entries(browser.cookies(host)).map(([name, value]) => ({ name, value, domain: hostname, path: "/" })));
        }
        await use(page);
    } finally {
        await chromium.close();
    }
}
