// The lib modules dynamic providers load, by the path each is compiled to under bin/lib/, typed
// by the module itself: `providerLib("docker/manager")` is that module, and a wrong name does not
// compile.
//
// Why a path, loaded at call time, and not an import: a provider's methods are serialized into
// the state. A relative import would not resolve where they are evaluated, and a captured module
// would freeze a copy of it into every resource's state. Why the paths never move: the state
// keeps the provider's code as deployed, and `read` (refresh) and `delete` (destroy) run that
// copy, which loads these paths from whatever Slipway now checks out. The upgrade e2e
// (test/e2e/upgrade.test.ts) refreshes and destroys a stack an earlier Slipway deployed.
export interface ProviderLibs {
    "cosign/keyPair": typeof import("../../lib/cosign/keyPair");
    "cosign/verifyReference": typeof import("../../lib/cosign/verifyReference");
    "docker/manager": typeof import("../../lib/docker/manager");
    "docker/network": typeof import("../../lib/docker/network");
    "docker/ship": typeof import("../../lib/docker/ship");
    "docker/sshIdentity": typeof import("../../lib/docker/sshIdentity");
    "docker/stack": typeof import("../../lib/docker/stack");
    "forge/credentials": typeof import("../../lib/forge/credentials");
    "forge/gitea": typeof import("../../lib/forge/gitea");
    "mirror/mirrorImage": typeof import("../../lib/mirror/mirrorImage");
    "promotion/promoteReference": typeof import("../../lib/promotion/promoteReference");
    random: typeof import("../../lib/random");
    "registry/credentials": typeof import("../../lib/registry/credentials");
    "repository/declareRepository": typeof import("../../lib/repository/declareRepository");
    "retention/retainReference": typeof import("../../lib/retention/retainReference");
    "tls/localCertificate": typeof import("../../lib/tls/localCertificate");
}

/**
 * Loads a compiled lib module of the project the provider runs in. The provider process runs in
 * the program's folder (bin/, or an example's folder) inside the project: walk up to the first
 * folder holding bin/lib/<module>.js.
 */
export function providerLib<M extends keyof ProviderLibs>(module: M): ProviderLibs[M] {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const path = require("node:path") as typeof import("node:path");
    const fs = require("node:fs") as typeof import("node:fs");
    const relative = path.join("bin", "lib", `${module}.js`);
    let dir = process.cwd();
    while (!fs.existsSync(path.join(dir, relative)) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const file = path.join(dir, relative);
    try {
        return require(file) as ProviderLibs[M];
    } catch (error) {
        throw new Error(`Slipway's compiled code is missing at ${file} (${String(error)}): run \`npm run build\` in the project directory`);
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
}
