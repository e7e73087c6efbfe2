// The workers: Slipway's own scripts that components run through command resources (a login, a
// worker's join, a disk-image build), and the one way to name them. `worker("registryAuth", …)`
// is typed by the worker's own `Args`, so an editor goes from a component to the code it runs.
//
// A worker's command line is part of the state: every deployed Command keeps the line it was
// created with (a different line is an update that runs it again), and destroy runs the delete
// line as deployed. So a worker's compiled path, bin/scripts/<name>.js, never moves; the upgrade
// e2e (test/e2e/upgrade.test.ts) destroys a stack an earlier Slipway deployed to keep that true.
import { shellJoin } from "../../lib/shell";
import type * as diskImage from "../../scripts/diskImage";
import type * as forgeAuth from "../../scripts/forgeAuth";
import type * as forgeHook from "../../scripts/forgeHook";
import type * as registryAuth from "../../scripts/registryAuth";
import type * as sshAccess from "../../scripts/sshAccess";
import type * as swarmWorker from "../../scripts/swarmWorker";
import type * as withSsh from "../../scripts/withSsh";

/** Each worker's arguments, by its name (scripts/<name>.ts). */
export interface Workers {
    diskImage: diskImage.Args;
    forgeAuth: forgeAuth.Args;
    forgeHook: forgeHook.Args;
    registryAuth: registryAuth.Args;
    sshAccess: sshAccess.Args;
    swarmWorker: swarmWorker.Args;
    withSsh: withSsh.Args;
}

/** A worker's argv, run from Slipway's root (a command's `dir: projectDir()`). */
export function workerArgv<W extends keyof Workers>(name: W, ...args: Workers[W]): string[] {
    return ["node", `bin/scripts/${name}.js`, ...args];
}

/** A worker's command line, for a command resource's create, update or delete. */
export function worker<W extends keyof Workers>(name: W, ...args: Workers[W]): string {
    return shellJoin(workerArgv(name, ...args));
}
