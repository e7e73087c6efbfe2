// Growing past one machine, for real: a second Docker Engine in a network namespace with an
// sshd (test/support/workerNode) joins this swarm as a worker through SwarmHost over real SSH;
// a service placed on it by its node label answers through Traefik on the manager; removing it
// from config drains it and takes it out of the swarm. Checked with the Docker CLI.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as https from "node:https";
import { docker, must, run } from "../support/exec";
import { freePort } from "../support/registries";
import { throwawayStack, type ThrowawayStack } from "../support/stack";
import { startWorkerNode, type WorkerNode } from "../support/workerNode";
import { platformImage } from "../../lib/images/images";

const DOMAIN = "local.slipway.test";

function get(host: string, port: number, path: string, ca: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        https
            .get({ host: "127.0.0.1", port, path, headers: { host }, servername: host, ca }, (res) => {
                let body = "";
                res.on("data", (c: Buffer) => (body += c.toString()));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            })
            .on("error", reject);
    });
}

describe("a worker joined over SSH", () => {
    let worker: WorkerNode;
    let t: ThrowawayStack;
    let ports: { http: number; https: number };
    let nodeId: string;
    const workerDocker = (...args: string[]) => must("docker", ["-H", `unix://${worker.socket}`, ...args]);

    beforeAll(async () => {
        worker = await startWorkerNode();
        ports = { http: await freePort(), https: await freePort() };
        t = await throwawayStack((id) => ({
            "slipway:host.networkName": { value: `e2e-${id}-proxy` },
            "slipway:host.workers[0].name": { value: "w1" },
            "slipway:host.workers[0].endpoint": { value: worker.endpoint },
            [`slipway:host.workers[0].labels["slipway.e2e-${id}"]`]: { value: "builder" },
            "slipway:host.knownHosts": { value: worker.knownHosts },
            "slipway:sshPrivateKey": { value: worker.privateKey, secret: true },
            // A throwaway: destroy removes its data too, so the machine keeps nothing of it.
            "slipway:host.dataOnDestroy": { value: "delete" },
            "slipway:proxy.domain": { value: DOMAIN },
            "slipway:proxy.httpPort": { value: String(ports.http) },
            "slipway:proxy.httpsPort": { value: String(ports.https) },
        }));
    });
    afterAll(async () => {
        try {
            await t?.dispose();
        } finally {
            await worker?.dispose();
        }
    });

    it("up joins it to the swarm with its labels; the platform's own services stay on the manager", async () => {
        const result = await t.stack.up();
        const joined = (result.outputs.workers?.value as Record<string, { nodeId: string; hostname: string }>).w1!;
        nodeId = joined.nodeId;
        expect(await workerDocker("info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}")).toBe(`active ${nodeId}`);
        expect(await docker("node", "inspect", nodeId, "--format", "{{.Status.State}} {{.Spec.Role}} {{.Spec.Availability}}")).toBe("ready worker active");
        const labels = JSON.parse(await docker("node", "inspect", nodeId, "--format", "{{json .Spec.Labels}}")) as Record<string, string>;
        expect(labels).toEqual({ "slipway.worker": "w1", [`slipway.e2e-${t.id}`]: "builder" });
        // Traefik, the registry and CI are bound to the manager: nothing of theirs runs on the worker.
        expect(await docker("node", "ps", nodeId, "--filter", "desired-state=running", "--format", "{{.Name}}")).toBe("");
        // The key reached only the command's environment: encrypted in the state.
        // The state as it lies on disk (exportStack would decrypt it: it runs export --show-secrets).
        const state = readdirSync(t.backend, { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile())
            .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
            .join("\n");
        const lines = worker.privateKey.trim().split("\n");
        // (The key's first base64 line is the same for every unencrypted ed25519 key: check one of its own.)
        for (const secret of ["OPENSSH PRIVATE KEY", lines[lines.length - 2]!]) {
            const at = state.indexOf(secret);
            expect(at, `the state holds ${secret} in plaintext: …${state.slice(Math.max(0, at - 300), at + 50)}…`).toBe(-1);
        }
    });

    it("a second up changes nothing, and does not join it twice", async () => {
        const result = await t.stack.up();
        expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
        expect((await docker("node", "ls", "--format", "{{.ID}}")).split("\n")).toHaveLength(2);
    });

    it("a service placed on the worker by its label answers through Traefik on the manager", async () => {
        const base = platformImage("traefik").ref;
        // The worker reaches no registry here: the image is loaded into its engine.
        await worker.loadImage(base);
        const service = `${t.stack.name}-onworker`;
        const network = (await t.stack.outputs()).proxyNetwork?.value as string;
        const router = `${t.stack.name}-onworker`;
        await must(
            "docker",
            [
                "service",
                "create",
                "--quiet",
                "--detach=false",
                "--name",
                service,
                "--constraint",
                `node.labels.slipway.e2e-${t.id}==builder`,
                "--network",
                network,
                "--endpoint-mode",
                "dnsrr",
                "--label",
                "traefik.enable=true",
                "--label",
                `traefik.http.routers.${router}.rule=Host(\`onworker.${DOMAIN}\`)`,
                "--label",
                `traefik.http.routers.${router}.entrypoints=web-secure`,
                "--label",
                `traefik.http.routers.${router}.tls=true`,
                "--label",
                `traefik.http.services.${router}.loadbalancer.server.port=8080`,
                "--label",
                `slipway.routed-by=${t.stack.name}`,
                base,
                "--ping=true",
                "--entrypoints.http.address=:8080",
                "--ping.entrypoint=http",
            ],
            { timeoutMs: 120_000 },
        );
        try {
            expect(await docker("service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}")).toBe(
                await docker("node", "inspect", nodeId, "--format", "{{.Description.Hostname}}"),
            );
            const ca = (await t.stack.outputs()).proxyCaCertificate?.value as string;
            let answer = { status: 0, body: "" };
            // Bounded: Traefik's next poll routes it; the request crosses the overlay to the worker.
            for (let i = 0; i < 30 && answer.status !== 200; i++) {
                answer = await get(`onworker.${DOMAIN}`, ports.https, "/ping", ca).catch(() => ({ status: 0, body: "" }));
                if (answer.status !== 200) await new Promise((r) => setTimeout(r, 1000));
            }
            expect(answer).toEqual({ status: 200, body: "OK" });
        } finally {
            await run("docker", ["service", "rm", service]);
        }
    });

    it("removing it from config drains it and takes it out of the swarm", async () => {
        await t.stack.removeConfig("slipway:host.workers", true);
        // The last worker gone, its host keys and SSH key act on nothing: validation refuses them kept.
        await t.stack.removeConfig("slipway:host.knownHosts", true);
        await t.stack.removeConfig("slipway:sshPrivateKey");
        await t.stack.up();
        expect((await run("docker", ["node", "inspect", nodeId])).code, "the node is gone").not.toBe(0);
        expect(await workerDocker("info", "--format", "{{.Swarm.LocalNodeState}}")).toBe("inactive");
        expect((await docker("node", "ls", "--format", "{{.ID}}")).split("\n")).toHaveLength(1);
    });
});
