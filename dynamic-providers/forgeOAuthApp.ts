// ForgeOAuthApp: the OAuth2 application the CI logs in to the platform's forge with, created
// through Gitea's API as the forge's admin (whose login it reads from a credentials folder, never
// from its inputs). Its client id and secret are outputs (the secret a secret), so they flow into
// the CI stack and nobody copies them. A changed name, redirect or rotation updates it in place,
// which issues a new secret; a refresh that finds it deleted by hand makes the next up create it
// again; destroy deletes it.
import * as pulumi from "@pulumi/pulumi";
import type * as GiteaLib from "../lib/forge/gitea";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when the application or its handling changes, so the change shows in `pulumi preview`. */
export const FORGE_OAUTH_APP_PROVIDER_VERSION = "1";

export interface ForgeOAuthAppArgs {
    /** The forge admin's credentials folder in Slipway's cache (a forge login's): never a credential. */
    credentialsDir: pulumi.Input<string>;
    /** The application's name at the forge. */
    name: pulumi.Input<string>;
    /** Where the forge sends users back to, e.g. https://ci.example.org/authorize. */
    redirectUri: pulumi.Input<string>;
    /** Bump to issue a new client secret. @default 0 */
    rotation?: pulumi.Input<number>;
}

interface Inputs {
    credentialsDir: string;
    name: string;
    redirectUri: string;
    rotation: number;
    version: string;
}

interface Outputs extends Inputs {
    appId: number;
    clientId: string;
    clientSecret: string;
}

async function withForge<T>(dir: string, use: (client: GiteaLib.GiteaClient) => Promise<T>): Promise<T> {
    const login = providerLib("forge/credentials").readForgeCredentials(dir);
    const client = new (providerLib("forge/gitea").GiteaClient)(login);
    try {
        await client.waitForAdmin();
        return await use(client);
    } finally {
        client.close();
    }
}

export const forgeOAuthAppProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async diff(_id, olds, news) {
        // Gone from the forge (found by refresh): created again.
        return Promise.resolve(changedAlso(diffInputs(olds, news, { updates: ["name", "redirectUri", "rotation", "version"] }), olds.appId === 0));
    },

    async create(inputs) {
        const app = await withForge(inputs.credentialsDir, (forge) => forge.createOAuthApp(inputs.name, [inputs.redirectUri]));
        return { id: String(app.id), outs: { ...inputs, appId: app.id, clientId: app.clientId, clientSecret: app.clientSecret } };
    },

    async update(_id, olds, news) {
        const app = await withForge(news.credentialsDir, async (forge) =>
            olds.appId && (await forge.getOAuthApp(olds.appId))
                ? forge.updateOAuthApp(olds.appId, news.name, [news.redirectUri])
                : forge.createOAuthApp(news.name, [news.redirectUri]),
        );
        return { outs: { ...news, appId: app.id, clientId: app.clientId, clientSecret: app.clientSecret } };
    },

    async read(id, props) {
        if (!props) return {};
        // Unconfirmed (the forge does not answer) is kept as it was: refresh never loses the app's secret on an outage.
        const app = await withForge(props.credentialsDir, (forge) => forge.getOAuthApp(props.appId)).catch(() => "unconfirmed" as const);
        if (app === undefined) return { id, props: { ...props, appId: 0 } };
        return { id, props };
    },

    async delete(_id, props) {
        if (!props.appId) return;
        await withForge(props.credentialsDir, (forge) => forge.deleteOAuthApp(props.appId));
    },
};

/** An OAuth2 application at the platform's forge. */
export class ForgeOAuthApp extends pulumi.dynamic.Resource {
    declare readonly clientId: pulumi.Output<string>;
    /** Secret. */
    declare readonly clientSecret: pulumi.Output<string>;

    constructor(name: string, args: ForgeOAuthAppArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            forgeOAuthAppProvider,
            name,
            {
                ...args,
                rotation: args.rotation ?? 0,
                version: FORGE_OAUTH_APP_PROVIDER_VERSION,
                appId: undefined,
                clientId: undefined,
                clientSecret: undefined,
            },
            { ...opts, additionalSecretOutputs: ["clientSecret"] },
            "slipway",
            "ForgeOAuthApp",
        );
    }
}
