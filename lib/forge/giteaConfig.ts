// Gitea's app.ini and start script for the platform's forge. Install-locked from the first start
// (no web installer), SQLite on the stack's volume, git over HTTPS only (Traefik terminates TLS),
// no self-registration. Every secret is read from a file (a swarm secret) by Gitea's *_URI keys,
// so the file holds none and Gitea never needs to write it. Pure; snapshot-tested.
import { shellQuote } from "../shell";

export interface GiteaConfigOptions {
    /** git.<domain> */
    host: string;
    /** https://git.<domain>[:port]/ */
    rootUrl: string;
    /** Hosts the forge may send webhooks to (the CI), which inside the site are private addresses. */
    webhookHosts: string[];
    /** Swarm secret paths of Gitea's own secrets. */
    secretKeyFile: string;
    internalTokenFile: string;
    jwtSecretFile: string;
}

/** Where the forge keeps everything: the stack's data volume. */
export const GITEA_DATA = "/data";
export const GITEA_CONFIG = "/etc/gitea/app.ini";
export const GITEA_HTTP_PORT = 3000;

export function renderGiteaConfig(o: GiteaConfigOptions): string {
    const sections: Array<[string, Record<string, string | number | boolean>]> = [
        ["", { APP_NAME: "Slipway forge", RUN_MODE: "prod", RUN_USER: "git", WORK_PATH: `${GITEA_DATA}/gitea` }],
        [
            "server",
            {
                PROTOCOL: "http",
                HTTP_ADDR: "0.0.0.0",
                HTTP_PORT: GITEA_HTTP_PORT,
                DOMAIN: o.host,
                ROOT_URL: o.rootUrl,
                APP_DATA_PATH: `${GITEA_DATA}/gitea`,
                DISABLE_SSH: true,
                START_SSH_SERVER: false,
                LFS_START_SERVER: false,
                // Nothing is fetched from the internet: fonts, avatars and scripts come from the binary.
                OFFLINE_MODE: true,
            },
        ],
        ["database", { DB_TYPE: "sqlite3", PATH: `${GITEA_DATA}/gitea/gitea.db`, SQLITE_JOURNAL_MODE: "WAL" }],
        ["repository", { ROOT: `${GITEA_DATA}/git/repositories`, SCRIPT_TYPE: "sh" }],
        ["security", { INSTALL_LOCK: true, SECRET_KEY_URI: `file:${o.secretKeyFile}`, INTERNAL_TOKEN_URI: `file:${o.internalTokenFile}` }],
        ["oauth2", { JWT_SECRET_URI: `file:${o.jwtSecretFile}` }],
        ["service", { DISABLE_REGISTRATION: true, REQUIRE_SIGNIN_VIEW: false, DEFAULT_KEEP_EMAIL_PRIVATE: true }],
        // Gitea refuses webhooks to private addresses unless their hosts are listed.
        ["webhook", { ALLOWED_HOST_LIST: o.webhookHosts.join(",") }],
        ["session", { PROVIDER: "db" }],
        ["openid", { ENABLE_OPENID_SIGNIN: false, ENABLE_OPENID_SIGNUP: false }],
        ["mailer", { ENABLED: false }],
        ["cron.update_checker", { ENABLED: false }],
        ["log", { MODE: "console", LEVEL: "Info" }],
    ];
    return (
        sections
            .map(([name, keys]) => [...(name ? [`[${name}]`] : []), ...Object.entries(keys).map(([k, v]) => `${k} = ${String(v)}`)].join("\n"))
            .join("\n\n") + "\n"
    );
}

/**
 * The service's start: migrate the database (creates it on a new site), make the admin exist
 * with the password in its secret (created once, reset to the secret's on every start so a
 * rotation lands), then serve. Gitea's CLI takes a password only as an argument: it lives for
 * the moment that command runs, inside the container, and never reaches a log.
 */
export function renderGiteaStart(o: { adminUser: string; adminEmail: string; adminPasswordFile: string }): string[] {
    const conf = `--config ${GITEA_CONFIG}`;
    // `gitea <command> --config …`: the file is read-only (a swarm config), which Gitea accepts as
    // long as it needs to generate nothing (every secret comes from a file).
    const user = shellQuote(o.adminUser);
    return [
        "/bin/sh",
        "-c",
        [
            "set -e",
            `gitea migrate ${conf}`,
            `pw=$(cat ${shellQuote(o.adminPasswordFile)})`,
            `if gitea admin user list --admin ${conf} | awk 'NR > 1 { print $2 }' | grep -qxF ${user}; then`,
            `  gitea admin user change-password ${conf} --username ${user} --password "$pw" --must-change-password=false >/dev/null`,
            "else",
            `  gitea admin user create ${conf} --admin --username ${user} --email ${shellQuote(o.adminEmail)} --password "$pw" --must-change-password=false >/dev/null`,
            "fi",
            "unset pw",
            `exec gitea web ${conf}`,
        ].join("\n"),
    ];
}
