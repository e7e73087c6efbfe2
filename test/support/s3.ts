// An S3-compatible server on loopback for tests (gofakes3, from the pinned toolchain): one
// bucket, in memory, stopped after the test file. It checks no signatures, so what a client
// wrote can be listed with a plain GET.
import { spawn } from "node:child_process";
import { freePort, waitForListener } from "./registries";

export interface RunningS3 {
    /** `http://127.0.0.1:<port>`: the endpoint clients are given. */
    endpoint: string;
    bucket: string;
    /** Every key in the bucket under `prefix`, through the S3 API (ListObjectsV2, paged). */
    keys(prefix?: string): Promise<string[]>;
    stop(): Promise<void>;
}

export async function startS3(bucket = "slipway-registry"): Promise<RunningS3> {
    const port = await freePort();
    const child = spawn("gofakes3", ["-backend", "memory", "-host", `127.0.0.1:${port}`, "-initialbucket", bucket, "-quiet"], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    await waitForListener(port, child, () => stderr);
    const endpoint = `http://127.0.0.1:${port}`;
    return {
        endpoint,
        bucket,
        async keys(prefix = "") {
            const keys: string[] = [];
            let token: string | undefined;
            for (let page = 0; page < 100; page++) {
                const query = new URLSearchParams({ "list-type": "2", prefix, ...(token ? { "continuation-token": token } : {}) });
                const body = await (await fetch(`${endpoint}/${bucket}?${query.toString()}`)).text();
                keys.push(...[...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!));
                token = /<NextContinuationToken>([^<]*)</.exec(body)?.[1];
                if (!token) return keys;
            }
            throw new Error("more than 100 pages of keys: a test bucket should not hold that many");
        },
        async stop() {
            child.kill("SIGTERM");
            await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
        },
    };
}
