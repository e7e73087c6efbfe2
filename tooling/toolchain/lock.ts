// toolchain.lock.json: its shape, and the bump that rewrites one pin only after the new
// version has resolved from its registry. Resolvers are injected so this stays pure.

import type { DebPin } from "../../lib/diskimage/debs";

export interface ModulePin {
    module: string;
    moduleVersion: string;
    sum: string;
}

export interface ToolPin extends ModulePin {
    version: string;
    extraModules?: ModulePin[];
    binaries: string[];
    recipe: string;
    /** Bumped when the recipe changes what it builds: the cache key becomes <name>-<version>+b<build>. */
    build?: number;
    /** The pnpm a web UI build runs, pinned by the npm registry's integrity (recipes/lib.sh pnpm_run). */
    pnpm?: { version: string; integrity: string };
    versionCommand?: string[];
    pluginKind?: string;
    pluginName?: string;
    npmPackage?: string;
}

/** A platform image assembled by setup from pinned binaries, with no base image (scripts/images/assemble). */
export interface ImageSpec {
    /** A toolchain entry that builds the binary… */
    tool?: string;
    /** …or a Debian package, at this exact version, and the binary's path in it. */
    package?: string;
    packageVersion?: string;
    path?: string;
    binary: string;
    /** More binaries: from pinned Debian packages (the maintenance image's docker CLI), or another pinned tool's build (the CI build step's cosign). */
    extra?: Array<{ package: string; packageVersion: string; path: string; binary: string } | { tool: string; binary: string }>;
    /** The pinned Node.js (.node, for the image's architecture) as /usr/local/bin/node. */
    node?: boolean;
    /** Where Slipway's own dependencies go (package-lock.json's, without the dev ones but the compiler): the preview step builds and runs the program with them. */
    nodeModules?: string;
    /** Link busybox's applets (sh, crond…) beside it: busybox is the binary or one of the extras. */
    applets?: boolean;
    /** Paths linked to the image's program of the same name (gitea's hooks start /usr/bin/env). */
    links?: string[];
    /** Other names of the image's programs (git-upload-pack → git), linked beside them. */
    aliases?: Record<string, string>;
    /** A user the image runs as (not root), owning /data, so a fresh volume there is theirs. */
    user?: { name: string; uid: number; gid: number; home: string };
    entrypoint: string[];
    cmd?: string[];
    env?: string[];
}

export interface Lock {
    /** Node.js from the npm registry: `package` is the host's (amd64) build, `foreign` the other architectures' packages of the same version. */
    node: { package: string; version: string; foreign?: Record<string, string> };
    tools: Record<string, ToolPin>;
    images?: Record<string, ImageSpec>;
    /** Debian packages disk images, and platform images for another arch than the host's (scripts/images/debs.sh), are built from, by `<package>:<arch>` (lib/diskimage/debs). */
    debs?: Record<string, DebPin>;
}

export interface Resolvers {
    /** The go.sum hash of module@version as the Go module proxy serves it; rejects when it is not served. */
    goModuleSum(module: string, version: string): Promise<string>;
    /** Whether the npm registry has package@version. */
    npmVersionExists(pkg: string, version: string): Promise<boolean>;
}

export interface BumpResult {
    lock: Lock;
    /** What the operator still has to do, e.g. move the npm package to the same version. */
    followUps: string[];
}

/**
 * Moves `tool` (or "node") to `version`. A Go tool's module goes to `moduleVersion` (default
 * `v<version>`); its extra modules that were released with it (same old moduleVersion) move
 * too, the others stay. Throws, leaving nothing changed, when anything does not resolve.
 */
export async function bump(lock: Lock, tool: string, version: string, resolvers: Resolvers, moduleVersion = `v${version}`): Promise<BumpResult> {
    if (!/^\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(version)) throw new Error(`"${version}" is not a version like 1.2.3`);
    if (tool === "node") {
        for (const pkg of [lock.node.package, ...Object.values(lock.node.foreign ?? {})]) {
            if (!(await resolvers.npmVersionExists(pkg, version))) throw new Error(`the npm registry has no ${pkg}@${version}`);
        }
        return { lock: { ...lock, node: { ...lock.node, version } }, followUps: [] };
    }
    const pin = lock.tools[tool];
    if (!pin) throw new Error(`${tool} is not in toolchain.lock.json (tools: node, ${Object.keys(lock.tools).join(", ")})`);

    const followUps: string[] = [];
    if (pin.npmPackage) {
        if (!(await resolvers.npmVersionExists(pin.npmPackage, version)))
            throw new Error(`${tool} must match ${pin.npmPackage}, and the npm registry has no ${pin.npmPackage}@${version}`);
        followUps.push(`npm install --save-exact ${pin.npmPackage}@${version}`);
    }
    const sum = await resolvers.goModuleSum(pin.module, moduleVersion);
    const extraModules = pin.extraModules
        ? await Promise.all(
              pin.extraModules.map(async (m) =>
                  m.moduleVersion === pin.moduleVersion ? { ...m, moduleVersion, sum: await resolvers.goModuleSum(m.module, moduleVersion) } : m,
              ),
          )
        : undefined;
    const bumped: ToolPin = { ...pin, version, moduleVersion, sum, ...(extraModules ? { extraModules } : {}) };
    followUps.push("scripts/setup (builds and installs the new version)");
    return { lock: { ...lock, tools: { ...lock.tools, [tool]: bumped } }, followUps };
}
