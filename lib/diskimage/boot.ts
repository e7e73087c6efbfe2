// The boot smoke test that gates publication: the artifact boots under QEMU (TCG, no KVM
// needed) and its initramfs prints the platform's marker on the serial console in time.
// The artifact is attached read-only (-snapshot); firmware variables are a scratch copy.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootMarker } from "./render";
import { ARCH_TARGETS, bootable, type Arch, type Family } from "./targets";

export interface BootTest {
    platform: string;
    arch: Arch;
    family: Family;
    kernel: string;
    /** The build folder holding the family's files. */
    dir: string;
    /** Default: 120 s on amd64, 300 s on arm64 (TCG emulates every instruction). */
    timeoutMs?: number;
}

export interface BootResult {
    /** The marker line as the guest printed it. */
    line: string;
    seconds: number;
}

/** QEMU's argv for booting `family` of `arch` from `dir`; `vars` is a writable firmware-variables copy where one is needed. */
export function qemuArgv(test: BootTest, vars?: string): string[] {
    const { qemu } = ARCH_TARGETS[test.arch];
    const argv = [qemu.binary, ...qemu.machine, "-m", "512", "-smp", "1", "-nographic", "-no-reboot", "-snapshot"];
    const firmware = qemu.firmwareVars
        ? ["-drive", `if=pflash,format=raw,readonly=on,file=${qemu.firmwareCode}`, "-drive", `if=pflash,format=raw,file=${vars}`]
        : ["-bios", qemu.firmwareCode];
    const file = (name: string) => join(test.dir, name);
    switch (test.family) {
        case "kernel-initrd":
            return [
                ...argv,
                "-net",
                "none",
                "-kernel",
                file("vmlinuz"),
                "-initrd",
                file("initrd.img"),
                "-append",
                `console=${ARCH_TARGETS[test.arch].console} panic=-1 quiet`,
            ];
        case "raw":
            return [...argv, ...firmware, "-net", "none", "-drive", `file=${file("disk.img")},format=raw,if=virtio`];
        case "qcow2":
            return [...argv, ...firmware, "-net", "none", "-drive", `file=${file("disk.qcow2")},format=qcow2,if=virtio`];
        case "iso":
            return [...argv, ...firmware, "-net", "none", "-drive", `file=${file("disk.iso")},format=raw,if=virtio,media=cdrom,readonly=on`];
        case "ipxe":
            // QEMU's NIC boot ROM is iPXE: it takes the script from the built-in TFTP server, then the files it names relative to it.
            return [...argv, "-netdev", `user,id=n0,tftp=${test.dir},bootfile=boot.ipxe`, "-device", "virtio-net-pci,netdev=n0", "-boot", "n"];
        case "oci":
            throw new Error("an OCI image is not booted directly");
    }
}

/** Boots the artifact; resolves with the marker line, rejects with the console's tail on failure or timeout. */
export async function bootTest(test: BootTest): Promise<BootResult> {
    if (!bootable(test.family, test.arch)) throw new Error(`${test.family}/${test.arch} has no boot test here`);
    const scratch = mkdtempSync(join(tmpdir(), "slipway-boot-"));
    try {
        const vars = ARCH_TARGETS[test.arch].qemu.firmwareVars;
        if (vars) copyFileSync(vars, join(scratch, "vars.fd"));
        return await watchConsole(test, qemuArgv(test, join(scratch, "vars.fd")));
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}

function watchConsole(test: BootTest, argv: string[]): Promise<BootResult> {
    const expected = `${bootMarker(test.platform, test.arch)} kernel=${test.kernel}`;
    const timeoutMs = test.timeoutMs ?? (test.arch === "amd64" ? 120_000 : 300_000);
    const start = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        let settled = false;
        const finish = (error?: Error, line?: string) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            child.kill("SIGKILL");
            if (error) reject(error);
            else resolve({ line: line!, seconds: (Date.now() - start) / 1000 });
        };
        const tail = () => cleanConsole(output).slice(-1500);
        const what = `${test.platform} ${test.family}/${test.arch}`;
        const timer = setTimeout(
            () => finish(new Error(`${what} did not print its boot marker within ${timeoutMs / 1000} s; the console ended with:\n${tail()}`)),
            timeoutMs,
        );
        const onData = (chunk: Buffer) => {
            output = (output + chunk.toString("latin1")).slice(-64_000);
            // Whole lines only: the marker's end (the agent's status) may still be on its way.
            const line = cleanConsole(output)
                .split("\n")
                .slice(0, -1)
                .find((l) => l.includes(expected));
            if (!line) return;
            const marker = line.slice(line.indexOf(expected)).trim();
            // The agent's exit status is part of the marker: a failed agent fails the boot.
            const agent = / agent=(\d+)/.exec(marker)?.[1];
            if (agent !== undefined && agent !== "0") finish(new Error(`${what}: the agent exited ${agent}; the console ended with:\n${tail()}`));
            else finish(undefined, marker);
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.on("error", (error: NodeJS.ErrnoException) =>
            finish(new Error(error.code === "ENOENT" ? `${argv[0]} is not installed (scripts/setup installs it)` : error.message)),
        );
        child.on("close", (code) => finish(new Error(`${what}: QEMU exited (${code}) before the boot marker; the console ended with:\n${tail()}`)));
    });
}

/** The console without terminal escape sequences and carriage returns. */
function cleanConsole(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/\x1b\[[0-9;=?]*[A-Za-z]/g, "").replace(/\r/g, "");
}
