// A browser's part of a web login, without a browser: forms, redirects and cookies over real
// HTTPS to this machine's Traefik (the site's names resolve here through /etc/hosts, which
// setup writes). Cookies are kept per host, which is all a login through an OAuth flow needs.
import * as https from "node:https";

export interface Page {
    url: string;
    status: number;
    body: string;
    /** Every redirect followed to get here, in order. */
    hops: string[];
}

export class CookieBrowser {
    private readonly jar = new Map<string, Map<string, string>>();
    private readonly agent: https.Agent;

    constructor(ca: string) {
        this.agent = new https.Agent({ ca });
    }

    /** The cookies a host set, by name. */
    cookies(host: string): Record<string, string> {
        return Object.fromEntries(this.jar.get(host) ?? []);
    }

    get(url: string, headers: Record<string, string> = {}): Promise<Page> {
        return this.navigate("GET", url, undefined, headers);
    }

    /**
     * Submits a form (application/x-www-form-urlencoded) from a page of the same site, as a browser
     * does (its Origin is what cross-origin protection checks), and follows where it leads.
     */
    submit(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
        return this.navigate("POST", url, new URLSearchParams(fields).toString(), {
            "content-type": "application/x-www-form-urlencoded",
            origin: new URL(url).origin,
            "sec-fetch-site": "same-origin",
            ...headers,
        });
    }

    /** One request, no redirect followed (an API call with the session's cookies). */
    fetch(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string; location?: string }> {
        const target = new URL(url);
        const cookie = [...(this.jar.get(target.host) ?? [])].map(([k, v]) => `${k}=${v}`).join("; ");
        return new Promise((resolve, reject) => {
            const req = https.request(
                target,
                {
                    method,
                    agent: this.agent,
                    headers: {
                        ...headers,
                        ...(cookie ? { cookie } : {}),
                        ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
                    },
                    timeout: 30_000,
                },
                (res) => {
                    for (const line of res.headers["set-cookie"] ?? []) this.setCookie(target.host, line);
                    let text = "";
                    res.on("data", (c: Buffer) => (text += c.toString()));
                    res.on("end", () =>
                        resolve({
                            status: res.statusCode ?? 0,
                            body: text,
                            ...(res.headers.location ? { location: new URL(res.headers.location, target).toString() } : {}),
                        }),
                    );
                    res.on("error", reject);
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
            req.on("error", reject);
            req.end(body);
        });
    }

    close(): void {
        this.agent.destroy();
    }

    private async navigate(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
        const hops: string[] = [];
        let current = url;
        let res = await this.fetch(method, current, headers, body);
        // Bounded, like a browser's redirect limit.
        for (let i = 0; i < 20 && res.location && res.status >= 300 && res.status < 400; i++) {
            current = res.location;
            hops.push(current);
            res = await this.fetch("GET", current);
        }
        return { url: current, status: res.status, body: res.body, hops };
    }

    private setCookie(host: string, line: string): void {
        const [pair] = line.split(";");
        const eq = pair!.indexOf("=");
        if (eq < 1) return;
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        const cookies = this.jar.get(host) ?? new Map<string, string>();
        // An expired or emptied cookie is a deletion.
        if (value === "" || /max-age=(0|-\d+)/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
        this.jar.set(host, cookies);
    }
}

/** The form on a page that has a control named `field`: its action (resolved against the page's URL) and its hidden inputs' values. */
export function findForm(page: Page, field: string): { action: string; hidden: Record<string, string> } | undefined {
    const form = [...page.body.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => m[2]!.includes(`name="${field}"`));
    if (!form) return undefined;
    const unescape = (v: string) =>
        v.replaceAll("&amp;", "&").replaceAll("&#34;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
    const hidden = Object.fromEntries(
        [...form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)].flatMap((m) => {
            const name = /name="([^"]*)"/.exec(m[0])?.[1];
            return name ? [[name, unescape(/value="([^"]*)"/.exec(m[0])?.[1] ?? "")]] : [];
        }),
    );
    return { action: new URL(unescape(form[1]!), page.url).toString(), hidden };
}
