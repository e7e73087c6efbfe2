// A site's SSH access as a resource: the key and the host keys written, 0600, to a folder in
// Slipway's cache (lib/docker/sshIdentity) by a command that holds the key as a secret. What
// reaches the engine over SSH names the folder (withSsh.js for commands, `sshAccess` for
// providers), never the key. Destroy removes the folder.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { worker } from "../kit/workers";
import { projectDir } from "../kit/projectDir";

export interface SshKeyAccess {
    /** The private key (secret). */
    privateKey: pulumi.Input<string>;
    /** known_hosts lines of every host reached; checked strictly. */
    knownHosts: pulumi.Input<string>;
}

/** Writes `ssh` into `ssh-access/<folder>`; resolves to that name once it is written. */
export function sshAccessFolder(name: string, folder: string, ssh: SshKeyAccess, parent: pulumi.Resource): pulumi.Output<string> {
    const dir = `ssh-access/${folder}`;
    const write = worker("sshAccess", "write", dir);
    const access = new command.local.Command(
        name,
        {
            create: write,
            update: write,
            delete: worker("sshAccess", "remove", dir),
            dir: projectDir(),
            environment: { SLIPWAY_SSH_KEY: pulumi.secret(ssh.privateKey), SLIPWAY_KNOWN_HOSTS: ssh.knownHosts },
        },
        { parent },
    );
    // Known once written; carries no secret (the command's outputs are secret, the folder's name is not).
    return pulumi.unsecret(access.stdout).apply(() => dir);
}
