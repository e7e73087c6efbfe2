// A second machine on this one, for the multi-node tests (a multi-node swarm on one machine):
// a network namespace joined to the host by a veth pair, a Docker Engine
// in it with its own data root and socket, and an sshd in it that a real SSH client reaches with
// a key of the test's own. Sessions get DOCKER_HOST pointing at the namespace's engine (the
// filesystem is shared, so /var/run/docker.sock would be the host's). Loopback-only addresses
// (10.200.<n>.0/24), nothing outside the machine; dispose leaves nothing behind.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { must, run } from "./exec";
import { scratchDir } from "./tmp";

export interface WorkerNode {
    /** ssh://root@10.200.<n>.2 */
    endpoint: string;
    /** Its engine's socket on this machine, for the test's own checks. */
    socket: string;
    /** ssh-keyscan's lines for it. */
    knownHosts: string;
    /** The client key its sshd accepts. */
    privateKey: string;
    /** Its public half, as an authorized_keys line. */
    publicKey: string;
    /** Puts a local image into the worker's engine (it cannot pull from anywhere). */
    loadImage(image: string): Promise<void>;
    dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WorkerNodeOptions {
    /** Start its Docker Engine; without one, SSH works and `docker` finds nothing to talk to. @default true */
    engine?: boolean;
    /** Another client key its sshd accepts (an authorized_keys line), e.g. another node's: one site key for every node. */
    authorizedKey?: string;
}

export async function startWorkerNode({ engine = true, authorizedKey }: WorkerNodeOptions = {}): Promise<WorkerNode> {
    const id = randomBytes(3).toString("hex");
    const ns = `sw-${id}`;
    const subnet = 1 + (parseInt(id, 16) % 250);
    const hostIp = `10.200.${subnet}.1`;
    const nodeIp = `10.200.${subnet}.2`;
    const dataRoot = `/var/lib/docker-${ns}`;
    const execRoot = `/var/run/docker-${ns}`;
    const socket = `/var/run/docker-${ns}.sock`;
    const sshDir = scratchDir("slipway-worker-ssh-");
    const pids: number[] = [];

    const dispose = async () => {
        await run("docker", ["-H", `unix://${socket}`, "swarm", "leave", "--force"], { timeoutMs: 30_000 });
        for (const pid of pids.reverse()) {
            try {
                process.kill(pid, "SIGTERM");
            } catch {
                continue;
            }
            for (let i = 0; i < 100; i++) {
                try {
                    process.kill(pid, 0);
                } catch {
                    break;
                }
                await sleep(100);
            }
        }
        for (const dir of ["-i", "-o"]) await run("iptables", ["-D", "FORWARD", dir, `vh-${ns}`, "-j", "ACCEPT"]);
        await run("ip", ["netns", "del", ns]);
        await run("ip", ["link", "del", `vh-${ns}`]);
        await run("bash", ["-c", `umount -R ${dataRoot}/overlay2/*/merged 2>/dev/null; rm -rf ${dataRoot} ${execRoot} ${socket}`]);
        rmSync(sshDir, { recursive: true, force: true });
    };

    try {
        await must("ip", ["netns", "add", ns]);
        await must("ip", ["link", "add", `vh-${ns}`, "type", "veth", "peer", "name", `vn-${ns}`]);
        await must("ip", ["link", "set", `vn-${ns}`, "netns", ns]);
        await must("ip", ["addr", "add", `${hostIp}/24`, "dev", `vh-${ns}`]);
        await must("ip", ["link", "set", `vh-${ns}`, "up"]);
        // Nodes in namespaces reach each other through this machine, whose FORWARD policy (Docker's)
        // drops what it does not know: this node's own veth is let through, both ways, and only it.
        for (const dir of ["-i", "-o"]) await must("iptables", ["-I", "FORWARD", dir, `vh-${ns}`, "-j", "ACCEPT"]);
        // Overlay traffic (VXLAN) to the worker must leave from the manager's advertised address:
        // the worker's kernel drops VXLAN packets whose outer source differs from the address its
        // static forwarding entries name for the sender (vxlan_snoop), and the route to the veth
        // would otherwise pick the veth's own address. Two real machines do this by themselves.
        const managerAddr = await must("docker", ["info", "--format", "{{.Swarm.NodeAddr}}"]);
        await must("ip", ["route", "replace", `10.200.${subnet}.0/24`, "dev", `vh-${ns}`, "src", managerAddr]);
        for (const cmd of [
            ["addr", "add", `${nodeIp}/24`, "dev", `vn-${ns}`],
            ["link", "set", `vn-${ns}`, "up"],
            ["link", "set", "lo", "up"],
            ["route", "add", "default", "via", hostIp],
        ]) {
            await must("ip", ["netns", "exec", ns, "ip", ...cmd]);
        }
        // nsenter, not `ip netns exec`: that remounts /sys and hides the cgroup mounts dockerd needs.
        // dockerd gets a mount namespace of its own, so that its containers binding
        // /var/run/docker.sock (a socket proxy, a CI agent) reach this engine, as on a real host,
        // and not the machine's: the filesystem is shared, the socket path is not.
        mkdirSync(dataRoot, { recursive: true });
        if (engine) {
            const dockerd = spawn(
                "nsenter",
                [
                    `--net=/var/run/netns/${ns}`,
                    "unshare",
                    "--mount",
                    "--propagation",
                    "private",
                    "dockerd",
                    "--data-root",
                    dataRoot,
                    "--exec-root",
                    execRoot,
                    "--pidfile",
                    `${execRoot}.pid`,
                    "-H",
                    `unix://${socket}`,
                    "--bridge=none",
                    "--iptables=false",
                ],
                { stdio: "ignore", detached: true },
            );
            dockerd.unref();
            pids.push(dockerd.pid!);
            for (let i = 0; ; i++) {
                if ((await run("docker", ["-H", `unix://${socket}`, "version", "--format", "{{.Server.Version}}"], { timeoutMs: 5000 })).code === 0) break;
                if (i === 60) throw new Error(`the worker's dockerd did not answer on ${socket} within 30 s`);
                await sleep(500);
            }
            await must("nsenter", [`--mount=/proc/${dockerd.pid!}/ns/mnt`, "mount", "--bind", socket, "/var/run/docker.sock"]);
        }

        await must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(sshDir, "host_key")]);
        await must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(sshDir, "client_key")]);
        writeFileSync(join(sshDir, "authorized_keys"), `${readFileSync(join(sshDir, "client_key.pub"), "utf8")}${authorizedKey ? `${authorizedKey}\n` : ""}`, {
            mode: 0o600,
        });
        writeFileSync(
            join(sshDir, "sshd_config"),
            [
                `ListenAddress ${nodeIp}:22`,
                `HostKey ${join(sshDir, "host_key")}`,
                `PidFile ${join(sshDir, "sshd.pid")}`,
                `AuthorizedKeysFile ${join(sshDir, "authorized_keys")}`,
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                `SetEnv DOCKER_HOST=unix://${socket}`,
                "",
            ].join("\n"),
        );
        mkdirSync("/run/sshd", { recursive: true });
        const sshd = spawn(
            "nsenter",
            [`--net=/var/run/netns/${ns}`, "/usr/sbin/sshd", "-D", "-f", join(sshDir, "sshd_config"), "-E", join(sshDir, "sshd.log")],
            { stdio: "ignore", detached: true },
        );
        sshd.unref();
        pids.push(sshd.pid!);
        let knownHosts = "";
        for (let i = 0; !knownHosts; i++) {
            knownHosts = (await run("ssh-keyscan", ["-T", "2", "-t", "ed25519", nodeIp], { timeoutMs: 5000 })).stdout.trim();
            if (knownHosts) break;
            if (i === 30) throw new Error(`the worker's sshd did not answer on ${nodeIp}:22 within 15 s`);
            await sleep(500);
        }
        return {
            endpoint: `ssh://root@${nodeIp}`,
            socket,
            knownHosts,
            privateKey: readFileSync(join(sshDir, "client_key"), "utf8"),
            publicKey: readFileSync(join(sshDir, "client_key.pub"), "utf8").trim(),
            loadImage: async (image) => {
                await must("bash", ["-c", `docker save ${image} | docker -H unix://${socket} load --quiet`], { timeoutMs: 120_000 });
            },
            dispose,
        };
    } catch (error) {
        await dispose();
        throw error;
    }
}
