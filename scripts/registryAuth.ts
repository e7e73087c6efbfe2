// node bin/scripts/registryAuth.js login <registry> <credentials dir> | logout <credentials dir>
// login writes a docker config folder in Slipway's cache (lib/registry/dockerConfig) from its
// environment: SLIPWAY_REGISTRY_USERNAME/PASSWORD and, for a private CA, SLIPWAY_REGISTRY_CA_PEM.
// The credentials come from the environment only: arguments show in process lists and logs.
// logout removes the folder. Pushes, signatures, dynamic providers and `docker --config` read it.
import { credentialsFor } from "../lib/oci/auth";
import { removeDockerConfig, writeDockerConfig } from "../lib/registry/dockerConfig";
import { credentialsPath } from "../lib/registry/credentialsDir";

/** Its command line after `node bin/scripts/registryAuth.js` (components call it through components/kit/workers). */
export type Args = ["login", registry: string, credentialsDir: string] | ["logout", credentialsDir: string];

function main([command, first, second]: string[]) {
    if (command === "login" && first && second) return login(first, second);
    if (command === "logout" && first) return removeDockerConfig(credentialsPath(first));
    throw new Error("usage: registryAuth.js login <registry> <credentials dir> | logout <credentials dir>");
}

function login(registry: string, dir: string) {
    const credentials = credentialsFor(registry, {
        SLIPWAY_REGISTRY_USERNAME: process.env.SLIPWAY_REGISTRY_USERNAME,
        SLIPWAY_REGISTRY_PASSWORD: process.env.SLIPWAY_REGISTRY_PASSWORD,
        DOCKER_CONFIG: "/nonexistent",
    });
    if (!credentials) throw new Error("login needs SLIPWAY_REGISTRY_USERNAME and SLIPWAY_REGISTRY_PASSWORD in the environment");
    writeDockerConfig(credentialsPath(dir), registry, credentials, process.env.SLIPWAY_REGISTRY_CA_PEM || undefined);
    process.stderr.write(`    credentials for ${registry} in ${credentialsPath(dir)}\n`);
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`registryAuth.js: ${(error as Error).message}\n`);
    process.exit(1);
}
