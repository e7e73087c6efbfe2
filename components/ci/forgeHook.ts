import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { worker } from "../kit/workers";
import { projectDir } from "../kit/projectDir";

export interface ForgeHookArgs {
    /** The forge admin's login folder (ForgeStack's credentialsDir). */
    credentialsDir: pulumi.Input<string>;
    /** Where the forge sends the events. */
    url: pulumi.Input<string>;
    /** What it signs them with (secret): reaches only the command's environment, encrypted in state. */
    secret: pulumi.Input<string>;
}

/**
 * The platform forge's system webhook for issue comments (the `/preview` command): made through
 * Gitea's admin API by scripts/forgeHook.ts, edited when the secret rotates, removed on delete.
 */
export function forgeSystemHook(name: string, args: ForgeHookArgs, parent: pulumi.Resource, dependsOn: pulumi.Input<pulumi.Resource>[]): command.local.Command {
    const run = (verb: "ensure" | "remove") => pulumi.all([args.credentialsDir, args.url]).apply(([dir, url]) => worker("forgeHook", verb, dir, url));
    return new command.local.Command(
        name,
        {
            create: run("ensure"),
            update: run("ensure"),
            delete: run("remove"),
            dir: projectDir(),
            environment: { SLIPWAY_HOOK_SECRET: pulumi.secret(args.secret) },
        },
        { parent, dependsOn },
    );
}
