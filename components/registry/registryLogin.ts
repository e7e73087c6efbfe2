// A registry login as a resource: a credentials folder in Slipway's cache that pushes, cosign,
// the dynamic providers and `docker --config` read. The password reaches only this command's
// environment (encrypted in state); what others get is the folder's name.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { credentialsPath } from "../../lib/registry/credentialsDir";
import { worker } from "../kit/workers";
import { projectDir } from "../kit/projectDir";

export interface RegistryLoginArgs {
    /** host[:port] of the registry. */
    registry: pulumi.Input<string>;
    username: pulumi.Input<string>;
    /** Secret. */
    password: pulumi.Input<string>;
    /** PEM of a private CA behind the registry's certificate (public). */
    caCertificate?: pulumi.Input<string | undefined>;
    /** The folder, relative to Slipway's cache: one per (stack, user of it), so destroying one logs out no other. */
    dir: string;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The platform registry as its users log in to it: host, user, password (secret) and private CA. */
export interface PlatformRegistryAccess {
    host: pulumi.Input<string>;
    username: pulumi.Input<string>;
    password: pulumi.Input<string>;
    caCertificate: pulumi.Input<string | undefined>;
}

/** A login to the platform registry in its own folder under `registry-auth/`. */
export function platformRegistryLogin(
    name: string,
    registry: PlatformRegistryAccess,
    folder: string,
    dependsOn: pulumi.Input<pulumi.Resource>[],
    parent: pulumi.Resource,
): RegistryLogin {
    return registryLogin(
        name,
        {
            registry: registry.host,
            username: registry.username,
            password: registry.password,
            caCertificate: registry.caCertificate,
            dir: `registry-auth/${folder}`,
            dependsOn,
        },
        parent,
    );
}

export interface RegistryLogin {
    /** The folder's name in the cache (what dynamic providers take); known once the login ran. */
    credentialsDir: pulumi.Output<string>;
    /** Its absolute path on this machine, for DOCKER_CONFIG. */
    dockerConfig: pulumi.Output<string>;
}

export function registryLogin(name: string, args: RegistryLoginArgs, parent: pulumi.Resource): RegistryLogin {
    const login = new command.local.Command(
        name,
        {
            create: pulumi.output(args.registry).apply((registry) => worker("registryAuth", "login", registry, args.dir)),
            delete: worker("registryAuth", "logout", args.dir),
            dir: projectDir(),
            environment: {
                SLIPWAY_REGISTRY_USERNAME: args.username,
                SLIPWAY_REGISTRY_PASSWORD: pulumi.secret(args.password),
                SLIPWAY_REGISTRY_CA_PEM: pulumi.output(args.caCertificate).apply((ca) => ca ?? ""),
            },
        },
        // Everything that talks to the registry follows the login (its folder), so it also follows this.
        { parent, dependsOn: args.dependsOn ?? [] },
    );
    // Depends on the login, carries no secret: its outputs are secret (its environment is), the folder's name is not.
    const credentialsDir = pulumi.unsecret(login.stdout).apply(() => args.dir);
    return { credentialsDir, dockerConfig: credentialsDir.apply((dir) => credentialsPath(dir)) };
}
