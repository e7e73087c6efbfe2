// Pull-request previews for real, on the platform's own forge and CI: a throwaway platform whose
// state is on an S3 backend (the pinned S3 server, on the platform's network so pipelines reach
// it) runs with ci.previews. Slipway itself (this checkout) is pushed to its Gitea and activated
// with `ci:repo --preview`; a branch changes the stack's config and a pull request is opened
// through Gitea's API. Then: the pipeline (.woodpecker/preview.yaml) runs on the platform's agent
// and keeps ONE comment, edited on the next push; the plan it keeps applies exactly the reviewed
// change and refuses a later one; a broken config comments its errors and fails the pipeline.
// Secrets are planted and searched for in comments, logs, plans and state.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieBrowser } from "../support/browser";
import { ciToken } from "../support/ciLogin";
import { docker, must, run } from "../support/exec";
import { platformImage } from "../../lib/images/images";
import { COMMENT_LIMIT, MARKER } from "../../tooling/preview/comment";
import { ROOT } from "../support/prerequisites";
import { freePort } from "../support/registries";
import { LOCAL_DOMAIN, throwawayPlatform, throwawayStack, THROWAWAY_PASSPHRASE, urnsInState, type ThrowawayStack } from "../support/stack";
import { scratchDir } from "../support/tmp";
import { basicAuth, call, finishedPipeline, pipelineLogs, type Api, type Pipeline } from "../support/platformApi";
import { SCREENSHOTS, inChromium } from "../support/chromium";

const DOMAIN = LOCAL_DOMAIN;
const ADMIN = "e2e-admin";
const REPO = `${ADMIN}/slipway`;
const RESULTS = join(ROOT, "test-results", "previews");
/** The access key id CI previews with: the gate lets it only read. */
const CI_KEY = "ci-preview-reader";
/** Planted: the preview's S3 secret key must never show in a comment, log, plan or the state. */
const PLANTED_S3_SECRET = `planted-s3-${randomBytes(6).toString("hex")}`;

interface Comment {
    id: number;
    body: string;
}

describe("pull-request previews on the platform's CI", () => {
    const s3Name = `e2e-s3-${randomBytes(4).toString("hex")}`;
    let s3Port: number;
    /** The read-only gate's port on loopback (pipelines reach it at <s3Name>:9001). */
    let gatePort: number;
    let operatorEnv: NodeJS.ProcessEnv;
    let t: ThrowawayStack;
    let network: string;
    let https: number;
    let ca: string;
    let forge: string;
    let ci: string;
    let password: string;
    let forgeToken: string;
    let registryPassword: string;
    let browser: CookieBrowser;
    let token: string;
    let work: string;
    let repoId: number;
    let pr: number;
    let commentId: number;

    beforeAll(async () => {
        // The S3 server in a container: the operator reaches it on loopback, pipelines by its alias on the
        // platform's network, through a gate that lets the CI's key only read (what a read-only policy does).
        s3Port = await freePort();
        gatePort = await freePort();
        const gofakes3 = await must("sh", ["-c", "command -v gofakes3"]);
        await docker(
            "run",
            "-d",
            "--name",
            s3Name,
            "-p",
            `127.0.0.1:${s3Port}:9000`,
            "-p",
            `127.0.0.1:${gatePort}:9001`,
            "-v",
            `${gofakes3}:/usr/local/bin/gofakes3:ro`,
            "-v",
            `${join(ROOT, "test", "support", "s3", "readOnlyGate.js")}:/gate.js:ro`,
            "-e",
            "GATE_PORT=9001",
            "-e",
            "UPSTREAM_PORT=9000",
            "-e",
            `READ_ONLY_KEY=${CI_KEY}`,
            "--entrypoint",
            "sh",
            platformImage("ci-preview").id,
            "-c",
            "node /gate.js & exec gofakes3 -backend memory -host 0.0.0.0:9000 -initialbucket state -quiet",
        );
        for (let i = 0; i < 50; i++) {
            const up = await Promise.all([s3Port, gatePort].map(async (port) => (await fetch(`http://127.0.0.1:${port}/state`).catch(() => undefined))?.ok));
            if (up.every(Boolean)) break;
            await new Promise((r) => setTimeout(r, 200));
        }
        const operator = { AWS_ACCESS_KEY_ID: "operator", AWS_SECRET_ACCESS_KEY: "operator-secret" };
        const url = `s3://state?endpoint=127.0.0.1:${s3Port}&disableSSL=true&s3ForcePathStyle=true&region=us-east-1`;
        operatorEnv = { ...process.env, ...operator, PULUMI_BACKEND_URL: url, PULUMI_CONFIG_PASSPHRASE: THROWAWAY_PASSPHRASE };
        https = await freePort();
        const http = await freePort();
        work = scratchDir("slipway-e2e-previews-");
        t = await throwawayStack(
            (id) => ({
                ...throwawayPlatform(id, { http, https }),
                "slipway:forge.engine": { value: "gitea" },
                "slipway:forge.adminUser": { value: ADMIN },
            }),
            ROOT,
            undefined,
            { url, env: operator },
        );
        network = `e2e-${t.id}-proxy`;
    });
    afterAll(async () => {
        browser?.close();
        // The network goes with the stack: the S3 server leaves it first, and keeps serving the state to destroy.
        await run("docker", ["network", "disconnect", network, s3Name]);
        try {
            await t?.dispose();
        } finally {
            await run("docker", ["rm", "-f", s3Name]);
        }
    });

    /** Gitea's API as the admin. */
    const forgeApi = <T>(method: string, path: string, body?: unknown) =>
        call<T>({ browser, base: `${forge}/api/v1`, authorization: basicAuth(ADMIN, password) }, method, path, body);

    /** Woodpecker's API with the admin's token. */
    const ciAs = (): Api => ({ browser, base: `${ci}/api`, authorization: `Bearer ${token}` });
    const ciApi = <T>(method: string, path: string) => call<T>(ciAs(), method, path);

    /** Every object the S3 backend holds, as text: what an attacker with the bucket would read. */
    async function bucketText(): Promise<string> {
        const list = await (await fetch(`http://127.0.0.1:${s3Port}/state?list-type=2`)).text();
        const keys = [...list.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
        expect(keys.length).toBeGreaterThan(0);
        const bodies = await Promise.all(keys.map(async (k) => (await fetch(`http://127.0.0.1:${s3Port}/state/${k}`)).text()));
        return bodies.join("\n");
    }

    const git = (...args: string[]) =>
        must("git", ["-c", "user.name=e2e", "-c", "user.email=e2e@example.org", ...args], {
            cwd: join(work, "slipway"),
            env: { ...process.env, GIT_SSL_CAINFO: join(work, "ca.pem") },
        });
    const stackFile = () => join(work, "slipway", `Pulumi.${t.stack.name}.yaml`);

    /** Edits the stack's config in the repository's copy of its stack file. */
    function editConfig(edit: (config: Record<string, unknown>) => void): void {
        const doc = load(readFileSync(stackFile(), "utf8")) as { config: Record<string, unknown> };
        edit(doc.config);
        writeFileSync(stackFile(), dump(doc));
    }

    /** Commits, pushes the branch, and waits (bounded) for the pull request's pipeline at that commit to finish. */
    async function pushAndWait(message: string): Promise<{ sha: string; pipeline: Pipeline }> {
        await git("commit", "-q", "-am", message);
        const sha = await git("rev-parse", "HEAD");
        await git("push", "-q", "origin", "preview");
        if (!pr) {
            // Gitea records pushed branches from a queue, shortly after the push: a pull request needs both (bounded wait).
            let branches: string[] = [];
            for (let i = 0; i < 60 && branches.length < 2; i++) {
                branches = ((await forgeApi<Array<{ name: string }> | null>("GET", `repos/${REPO}/branches`)) ?? []).map((b) => b.name);
                if (branches.length < 2) await new Promise((r) => setTimeout(r, 500));
            }
            expect(branches.sort()).toEqual(["main", "preview"]);
            pr = (await forgeApi<{ number: number }>("POST", `repos/${REPO}/pulls`, { head: "preview", base: "main", title: "Two more repositories" })).number;
        }
        return { sha, pipeline: await finishedPipeline(ciAs(), repoId, (p) => p.commit === sha && p.event === "pull_request", 300) };
    }

    const logs = (pipeline: Pipeline) => pipelineLogs(ciAs(), repoId, pipeline);

    /** Saved for people to read (test-results/previews/): what the pull request showed. */
    const keep = (name: string, text: string) => {
        mkdirSync(RESULTS, { recursive: true });
        writeFileSync(join(RESULTS, name), text);
    };

    /** The pull request's preview comments (people's comments, such as /preview, are left out). */
    const comments = async () => (await forgeApi<Comment[]>("GET", `repos/${REPO}/issues/${pr}/comments`)).filter((c) => c.body.startsWith(MARKER));

    /** What must never be in a comment, log or plan. */
    const secrets = () => [PLANTED_S3_SECRET, forgeToken, password, registryPassword, THROWAWAY_PASSPHRASE];

    it("the platform comes up with its state on S3, and with ci.previews deploys the preview step for its CI", async () => {
        expect((await t.stack.up()).summary.result).toBe("succeeded");
        let outputs = await t.stack.outputs();
        forge = outputs.forgeUrl?.value as string;
        ci = outputs.ciUrl?.value as string;
        ca = outputs.proxyCaCertificate?.value as string;
        password = outputs.forgeAdminPassword?.value as string;
        registryPassword = outputs.registryPassword?.value as string;
        browser = new CookieBrowser(ca);
        writeFileSync(join(work, "ca.pem"), ca);
        // The operator gives the previews a forge token to comment with (a bot's, in real life).
        forgeToken = (await forgeApi<{ sha1: string }>("POST", `users/${ADMIN}/tokens`, { name: "previews", scopes: ["write:repository", "write:issue"] }))
            .sha1;
        await docker("network", "connect", "--alias", s3Name, network, s3Name);
        const set = (key: string, value: string, secret = false) => t.stack.setConfig(`slipway:${key}`, { value, secret }, !secret);
        await set("ci.previews.backendUrl", `s3://state?endpoint=${s3Name}:9001&disableSSL=true&s3ForcePathStyle=true&region=us-east-1`);
        await set("ci.previews.accessKeyId", CI_KEY);
        await set("ciPreviewSecretKey", PLANTED_S3_SECRET, true);
        await set("ciPreviewPassphrase", THROWAWAY_PASSPHRASE, true);
        await set("ciPreviewForgeToken", forgeToken, true);
        // The /preview command re-runs previews with a CI admin's token: the admin logs in to the CI for one.
        token = await ciToken(browser, ci, ADMIN, password);
        await set("ciPreviewCommandToken", token, true);
        expect((await t.stack.up()).summary.result).toBe("succeeded");

        outputs = await t.stack.outputs();
        const preview = (outputs.ciStepImages?.value as { preview?: string }).preview;
        expect(preview).toBe(platformImage("ci-preview").id);
        expect(outputs.ciPreview?.secret).toBe(true);
        const env = await docker("service", "inspect", `${t.stack.name}-ci_server`, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}");
        expect(env).toContain(`SLIPWAY_PREVIEW_IMAGE:${preview}`);
        expect(env).not.toContain(PLANTED_S3_SECRET);
        // The state is in the bucket, its secrets encrypted.
        const state = await bucketText();
        expect(state).toContain(`urn:pulumi:${t.stack.name}::slipway::`);
        for (const secret of [PLANTED_S3_SECRET, forgeToken, password]) expect(state).not.toContain(secret);
    });

    it("Slipway, pushed to the forge, is activated for previews with ci:repo --preview", async () => {
        await forgeApi("POST", "user/repos", { name: "slipway", default_branch: "main" });
        // A copy of this checkout as it is (tracked and new files, not what git ignores), and the stack's file.
        const files = (await must("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT })).split("\0").filter(Boolean);
        mkdirSync(join(work, "slipway"), { recursive: true });
        writeFileSync(join(work, "files"), [...files, `Pulumi.${t.stack.name}.yaml`].join("\n"));
        await must("sh", ["-c", `tar -C "$0" --ignore-failed-read -cf - -T "$1" | tar -C "$2" -xf -`, ROOT, join(work, "files"), join(work, "slipway")]);
        await git("init", "-q", "-b", "main");
        await git("add", "-A");
        // The stack's file is one .gitignore leaves out (throwaway stacks'): this repository keeps it.
        await git("add", "-f", `Pulumi.${t.stack.name}.yaml`);
        await git("commit", "-q", "-m", "Slipway");
        await git("remote", "add", "origin", `https://${ADMIN}:${encodeURIComponent(password)}@git.${DOMAIN}:${https}/${REPO}.git`);
        await git("push", "-q", "origin", "main");

        const activate = await run("node", ["bin/tooling/ciRepo.js", "--stack", t.stack.name, REPO, "--preview", t.stack.name], {
            cwd: ROOT,
            env: { ...operatorEnv, WOODPECKER_TOKEN: token },
            timeoutMs: 120_000,
        });
        expect(activate.code, activate.stderr).toBe(0);
        for (const secret of secrets()) expect(activate.stdout + activate.stderr).not.toContain(secret);
        repoId = (await ciApi<{ id: number }>("GET", `repos/lookup/${REPO}`)).id;
        const set = await ciApi<Array<{ name: string; event: string[] }>>("GET", `repos/${repoId}/secrets`);
        expect(set.find((s) => s.name === "aws_secret_access_key")?.event.sort()).toEqual(["manual", "pull_request"]);
        expect(set.map((s) => s.name).sort()).toEqual([
            "aws_access_key_id",
            "aws_secret_access_key",
            "pulumi_backend_url",
            "pulumi_config_passphrase",
            "registry_password",
            "registry_username",
            "slipway_forge_token",
            "slipway_stack",
        ]);
    });

    it("docs/architecture.md's resource graph renders on the platform's forge, in a real browser", async () => {
        await inChromium(browser, [forge], https, async (page) => {
            await page.goto(`${forge}/${REPO}/src/branch/main/docs/architecture.md`, { waitUntil: "load", timeout: 60_000 });
            // Gitea renders a Mermaid block into an iframe holding the SVG, or puts the parser's error before it.
            // (It parses the SVG as XML: a label's <br> cut every label after it, which the check below caught.)
            await page.waitForSelector(".mermaid-block iframe.markup-content-iframe:not(.is-loading), .markup-block-error", { timeout: 60_000 });
            // Kept for people to look at, before anything is judged.
            await page.screenshot({ path: join(SCREENSHOTS, "architecture-graph.png"), fullPage: true });
            expect(await page.evaluate("[...document.querySelectorAll('.markup-block-error')].map((e) => e.textContent)")).toEqual([]);
            const labels = (await page.evaluate(
                "document.querySelector('.mermaid-block iframe').contentDocument.querySelector('svg')?.textContent ?? ''",
            )) as string;
            for (const component of ["Platform", "SwarmHost", "TraefikStack", "OciRegistry", "CiStack", "DiskImagePipeline", "ImagePromotions"])
                expect(labels).toContain(component);
        });
    });

    it("a pull request's preview runs on the platform's agent and leaves exactly one comment: the change, for its head, and no secret", async () => {
        await git("checkout", "-q", "-b", "preview");
        editConfig((c) => (c["slipway:registry"] = { ...(c["slipway:registry"] as object), repositories: ["apps/one"] }));
        const { sha, pipeline } = await pushAndWait("One repository");
        const text = await logs(pipeline);
        const list = await comments();
        expect(pipeline.status, `${text.slice(-5000)}\n${list.map((c) => c.body).join("\n")}`).toBe("success");
        expect(list).toHaveLength(1);
        const body = list[0]!.body;
        keep("comment-first.md", body);
        commentId = list[0]!.id;
        expect(body.startsWith(MARKER)).toBe(true);
        expect(body).toContain(`Computed for ${sha}.`);
        expect(body).toMatch(/create <code>[^<]*apps-one[^<]*<\/code>/);
        expect(body).toMatch(/\*\*Plan\*\* `[^`]+\/slipway-previews\/[^`@]+@sha256:[a-f0-9]{64}`/);
        for (const secret of secrets()) {
            expect(body).not.toContain(secret);
            expect(text).not.toContain(secret);
        }
    });

    it("the previews wrote nothing to the backend: their key can only read, and the gate refused no write", async () => {
        expect(await (await fetch(`http://127.0.0.1:${gatePort}/__gate/refused`)).text()).toBe("0");
        // The gate does refuse a write signed with that key (so "0" above means none was tried).
        const put = await fetch(`http://127.0.0.1:${gatePort}/state/probe`, {
            method: "PUT",
            body: "x",
            headers: { authorization: `AWS4-HMAC-SHA256 Credential=${CI_KEY}/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0` },
        });
        expect(put.status).toBe(403);
        expect(await (await fetch(`http://127.0.0.1:${gatePort}/__gate/refused`)).text()).toBe("1");
    });

    it("a second push edits that same comment, naming the new head", async () => {
        editConfig((c) => (c["slipway:registry"] = { ...(c["slipway:registry"] as object), repositories: ["apps/one", "apps/two"] }));
        const { sha, pipeline } = await pushAndWait("Two repositories");
        expect(pipeline.status, (await logs(pipeline)).slice(-5000)).toBe("success");
        const list = await comments();
        expect(list.map((c) => c.id)).toEqual([commentId]);
        expect(list[0]!.body).toContain(`Computed for ${sha}.`);
        expect(list[0]!.body).toMatch(/apps-two/);
    });

    it("the saved plan applies exactly the reviewed change, and refuses one made after the review", async () => {
        const body = (await comments())[0]!.body;
        const ref = /\*\*Plan\*\* `([^`]+)`/.exec(body)![1]!;
        const cranes = { ...process.env, SSL_CERT_FILE: join(work, "ca.pem"), DOCKER_CONFIG: join(work, "docker") };
        const registry = ref.split("/")[0]!;
        await must("sh", ["-c", 'printf %s "$REGISTRY_PASSWORD" | crane auth login "$0" -u "$1" --password-stdin', registry, "slipway"], {
            env: { ...cranes, REGISTRY_PASSWORD: registryPassword },
        });
        const planPath = join(work, "plan.json");
        await must("sh", ["-c", 'crane export "$0" - | tar -xO plan.json > "$1"', ref, planPath], { env: cranes });
        const plan = readFileSync(planPath, "utf8");
        expect(JSON.parse(plan)).toHaveProperty("resourcePlans");
        for (const secret of secrets()) expect(plan).not.toContain(secret);

        // The operator applies from a checkout of the pull request's head: its stack file.
        const rootFile = join(ROOT, `Pulumi.${t.stack.name}.yaml`);
        const up = () =>
            run("pulumi", ["up", "--yes", "--non-interactive", "--plan", planPath, "--stack", t.stack.name, "--cwd", ROOT], {
                env: operatorEnv,
                timeoutMs: 600_000,
            });
        copyFileSync(stackFile(), rootFile);
        // A change nobody reviewed: a third repository.
        const reviewed = readFileSync(rootFile, "utf8");
        const doc = load(reviewed) as { config: Record<string, { repositories?: string[] }> };
        doc.config["slipway:registry"]!.repositories!.push("apps/three");
        writeFileSync(rootFile, dump(doc));
        const refused = await up();
        keep("refused-up.txt", refused.stdout + refused.stderr);
        expect(refused.code).not.toBe(0);
        // Pulumi holds every step to the plan: the unreviewed repository is refused by name (what was reviewed may go ahead).
        expect(refused.stdout + refused.stderr).toMatch(/slipway-entries-repository-apps-three\)?:?\s+error: create is not allowed by the plan/);
        expect((await urnsInState(t.stack)).filter((u) => u.includes("apps-three"))).toEqual([]);

        writeFileSync(rootFile, reviewed);
        const applied = await up();
        expect(applied.code, applied.stderr.slice(-3000)).toBe(0);
        expect(Object.keys((await t.stack.outputs()).repositories?.value as Record<string, unknown>).sort()).toEqual(["apps/one", "apps/two"]);
    });

    it("a maintainer's exact /preview comment re-runs the preview for the head; a reader's runs nothing; the service logs why", async () => {
        const head = await git("rev-parse", "HEAD");
        const before = (await ciApi<Pipeline[]>("GET", `repos/${repoId}/pipelines`)).map((p) => p.number);
        // A user who may only read the repository asks first: refused.
        await forgeApi("POST", "admin/users", {
            username: "e2e-reader",
            email: "e2e-reader@example.org",
            password: "e2e-reader-password-1",
            must_change_password: false,
        });
        const reader = await browser.fetch(
            "POST",
            `${forge}/api/v1/repos/${REPO}/issues/${pr}/comments`,
            { authorization: basicAuth("e2e-reader", "e2e-reader-password-1"), "content-type": "application/json" },
            JSON.stringify({ body: "/preview" }),
        );
        expect(reader.status).toBe(201);
        // Then the maintainer.
        await forgeApi("POST", `repos/${REPO}/issues/${pr}/comments`, { body: "/preview" });
        let rerun: Pipeline | undefined;
        for (let i = 0; i < 120 && !(rerun && !["pending", "running"].includes(rerun.status)); i++) {
            await new Promise((r) => setTimeout(r, 1000));
            rerun = (await ciApi<Pipeline[]>("GET", `repos/${repoId}/pipelines`)).find((p) => !before.includes(p.number));
        }
        const log = (await run("docker", ["service", "logs", "--raw", `${t.stack.name}-ci_commands`])).stdout;
        keep("commands.log", log);
        const hooks = await forgeApi<Array<{ config: { url: string }; events: string[] }>>("GET", "admin/hooks");
        expect(
            rerun,
            `no pipeline started for the /preview comment within 120 s; the service logged:\n${log}\nsystem hooks: ${JSON.stringify(hooks)}`,
        ).toBeDefined();
        expect(rerun).toMatchObject({ event: "pull_request", commit: head, status: "success" });
        // Exactly one ran: the reader's comment started nothing.
        expect((await ciApi<Pipeline[]>("GET", `repos/${repoId}/pipelines`)).filter((p) => !before.includes(p.number))).toHaveLength(1);
        expect(log).toMatch(new RegExp(`refused: ${REPO}#${pr} by e2e-reader: e2e-reader may not write to ${REPO} \\(permission read\\)`));
        expect(log).toMatch(new RegExp(`ran: ${REPO}#${pr} by ${ADMIN}: pipeline \\d+ \\(a re-run of \\d+\\) for ${head}`));
        for (const secret of [...secrets(), token]) expect(log).not.toContain(secret);
        // The one comment, computed again for the same head.
        expect((await comments()).map((c) => c.id)).toEqual([commentId]);
    });

    it("a preview that fails comments its errors and their fixes, and the pipeline is red", async () => {
        editConfig((c) => (c["slipway:registry"] = { ...(c["slipway:registry"] as object), engine: "zot" }));
        const { sha, pipeline } = await pushAndWait("A registry that cannot run here");
        expect(pipeline.status).toBe("failure");
        const list = await comments();
        expect(list.map((c) => c.id)).toEqual([commentId]);
        const body = list[0]!.body;
        keep("comment-failed.md", body);
        expect(body).toContain(`of \`${t.stack.name}\` failed`);
        expect(body).toContain(`Computed for ${sha}.`);
        expect(body).toContain("registry.engine");
        expect(body).toMatch(/pulumi config set .*registry\.engine/);
        for (const secret of secrets()) expect(body).not.toContain(secret);
    });

    it("a preview with hundreds of changes keeps its comment under 65,536 characters, whole sections only", async () => {
        // Each repository's section is about 160 characters: 600 of them cannot all fit.
        const many = Array.from({ length: 600 }, (_, i) => `apps/bulk-${String(i).padStart(3, "0")}`);
        editConfig((c) => {
            // The broken engine goes: the registry is back to its default.
            const registry = { ...(c["slipway:registry"] as Record<string, unknown>) };
            delete registry.engine;
            c["slipway:registry"] = { ...registry, repositories: ["apps/one", "apps/two", ...many] };
        });
        const { sha, pipeline } = await pushAndWait("Six hundred repositories");
        const text = await logs(pipeline);
        expect(pipeline.status, text.slice(-3000)).toBe("success");
        // The log has every change the comment summarises.
        for (const r of many) expect(text).toContain(`create ********-entries-repository-${r.replace("/", "-")} (`);
        const list = await comments();
        expect(list.map((c) => c.id)).toEqual([commentId]);
        const body = list[0]!.body;
        keep("comment-large.md", body);
        expect(body.length).toBeLessThan(COMMENT_LIMIT);
        expect(body).toContain(`Computed for ${sha}.`);
        // Every create counted, the sections that fit shown whole, the rest summarised by number.
        expect(body).toContain("| 600 | 0 | 0 | 0 |");
        const shown = body.split("<details>").length - 1;
        expect(body.split("</details>").length - 1).toBe(shown);
        expect(shown).toBeGreaterThan(100);
        expect(body).toContain(`… and ${600 - shown} more changed resources, summarised above`);
    });

    it("a head that does not compile comments tsc's errors, and the pipeline is red", async () => {
        writeFileSync(
            join(work, "slipway", "program.ts"),
            `${readFileSync(join(work, "slipway", "program.ts"), "utf8")}\nexport const broken: number = "not a number";\n`,
        );
        const { sha, pipeline } = await pushAndWait("A type error");
        expect(pipeline.status).toBe("failure");
        const list = await comments();
        expect(list.map((c) => c.id)).toEqual([commentId]);
        const body = list[0]!.body;
        keep("comment-tsc.md", body);
        expect(body).toContain(`Computed for ${sha}.`);
        expect(body).toContain("Slipway does not compile at this head");
        expect(body).toMatch(/program\.ts\(\d+,\d+\): error TS2322/);
    });
});
