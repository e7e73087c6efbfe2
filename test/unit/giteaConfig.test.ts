import { describe, expect, it } from "vitest";
import { renderGiteaConfig, renderGiteaStart } from "../../lib/forge/giteaConfig";

describe("Gitea's app.ini", () => {
    const ini = renderGiteaConfig({
        host: "git.example.org",
        rootUrl: "https://git.example.org:8443/",
        webhookHosts: ["ci.example.org"],
        secretKeyFile: "/run/secrets/sk",
        internalTokenFile: "/run/secrets/it",
        jwtSecretFile: "/run/secrets/jwt",
    });

    it("is install-locked, and reads every secret Gitea would otherwise generate (and write back) from a file", () => {
        expect(ini).toContain("[security]\nINSTALL_LOCK = true\nSECRET_KEY_URI = file:/run/secrets/sk\nINTERNAL_TOKEN_URI = file:/run/secrets/it");
        expect(ini).toContain("[oauth2]\nJWT_SECRET_URI = file:/run/secrets/jwt");
        // LFS would need one more generated secret; nothing here uses it.
        expect(ini).toContain("LFS_START_SERVER = false");
        expect(ini).not.toMatch(/^(SECRET_KEY|INTERNAL_TOKEN|JWT_SECRET|LFS_JWT_SECRET) =/m);
    });

    it("serves at its URL, hooks in sh, webhooks only to the CI, nobody signs up", () => {
        expect(ini).toContain("ROOT_URL = https://git.example.org:8443/");
        expect(ini).toContain("SCRIPT_TYPE = sh");
        expect(ini).toContain("[webhook]\nALLOWED_HOST_LIST = ci.example.org");
        expect(ini).toContain("DISABLE_REGISTRATION = true");
        expect(ini).toMatchSnapshot();
    });
});

describe("Gitea's start", () => {
    it("quotes the admin's name and reads the password from its file, never from the command line it is given", () => {
        const [shell, flag, script] = renderGiteaStart({ adminUser: "o'brien", adminEmail: "o'brien@example.org", adminPasswordFile: "/run/secrets/admin pw" });
        expect([shell, flag]).toEqual(["/bin/sh", "-c"]);
        expect(script).toContain(`pw=$(cat '/run/secrets/admin pw')`);
        expect(script).toContain(`--username 'o'\\''brien'`);
        expect(script).toMatch(/^exec gitea web --config \/etc\/gitea\/app\.ini$/m);
        // Migrate first (a new site's database), and stop on any failure before serving.
        expect(script!.split("\n").slice(0, 2)).toEqual(["set -e", "gitea migrate --config /etc/gitea/app.ini"]);
    });
});
