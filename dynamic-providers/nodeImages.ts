// NodeImages: the platform images a remote node runs, shipped to it over the connection that
// reaches its engine, for its architecture (lib/docker/ship). Its diff asks the node which of
// them it lacks, so images removed there by hand are shipped again by the next up, and an up
// where the node has them all ships nothing. Its `images` output is what the node runs, by
// role: the stacks deploy those IDs, so nothing deploys before its image is there.
import * as pulumi from "@pulumi/pulumi";
import type { ImagesByArch, ShippedImage } from "../lib/docker/ship";
import { hostsOutOfReach, isUnknown } from "./kit/checks";
import { providerLib } from "./kit/libs";
import { diffInputs, changedAlso } from "./kit/diff";

/** Bumped when the provider's behaviour changes, so the change shows in `pulumi preview`. */
export const NODE_IMAGES_PROVIDER_VERSION = "1";

export interface NodeImagesArgs {
    /** The node's engine: `ssh://user@host[:port]`. */
    endpoint: pulumi.Input<string>;
    /** Per architecture, the images by role (ref and ID, as setup assembled them). */
    byArch: pulumi.Input<ImagesByArch>;
    /** The site's SSH access folder (relative to Slipway's cache); unset: the operator's own ssh setup. */
    sshAccess?: pulumi.Input<string>;
}

interface Inputs {
    endpoint: string;
    byArch: ImagesByArch;
    sshAccess?: string;
    version: string;
}

interface Outputs extends Inputs {
    architecture: string;
    /** What the node runs, by role. */
    images: Record<string, ShippedImage>;
    /** The IDs the last create or update shipped (none when the node had them all). */
    shipped: string[];
    /** Every image this resource has put on the node: destroying it removes them all (older versions too). */
    owned: ShippedImage[];
}

const shipLib = () => providerLib("docker/ship");
const envOf = (i: Inputs) => providerLib("docker/sshIdentity").sshAccessEnv(i.sshAccess);

async function ship(inputs: Inputs, earlier: ShippedImage[] = []): Promise<Outputs> {
    const lib = shipLib();
    const env = envOf(inputs);
    const architecture = await lib.nodeArchitecture(inputs.endpoint, env);
    const images = lib.imagesFor(inputs.byArch, architecture, inputs.endpoint);
    const shipped = await lib.shipImages(inputs.endpoint, Object.values(images), env);
    const owned = [...earlier.filter((o) => !Object.values(images).some((i) => i.id === o.id)), ...Object.values(images)];
    return { ...inputs, architecture, images, shipped, owned };
}

export const nodeImagesProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
    async diff(_id, olds, news) {
        const diff = diffInputs(olds, news, { replaces: ["endpoint"], updates: ["byArch", "sshAccess", "version"] });
        if (diff.changes || isUnknown(news.sshAccess) || hostsOutOfReach()) return diff;
        // The node's answer, not the state's: an image removed there by hand is shipped again.
        const missing = await shipLib().missingImages(
            news.endpoint,
            Object.values(olds.images).map((i) => i.id),
            envOf(news),
        );
        return changedAlso(diff, missing.length > 0);
    },

    async create(inputs) {
        const outs = await ship(inputs);
        return { id: `${inputs.endpoint}#images`, outs };
    },

    async update(_id, olds, news) {
        return { outs: await ship(news, olds.owned ?? Object.values(olds.images)) };
    },

    async delete(_id, props) {
        // What Slipway shipped goes with the stack: the node keeps nothing of it.
        const left = await shipLib().removeImages(props.endpoint, props.owned ?? Object.values(props.images), envOf(props));
        if (left.length > 0) throw new Error(`${props.endpoint}: could not remove ${left.join("; ")}`);
    },
};

/** The platform images on one remote node, shipped from this machine's engine as needed. */
export class NodeImages extends pulumi.dynamic.Resource {
    declare readonly architecture: pulumi.Output<string>;
    declare readonly images: pulumi.Output<Record<string, ShippedImage>>;
    declare readonly shipped: pulumi.Output<string[]>;

    constructor(name: string, args: NodeImagesArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            nodeImagesProvider,
            name,
            { ...args, version: NODE_IMAGES_PROVIDER_VERSION, architecture: undefined, images: undefined, shipped: undefined, owned: undefined },
            opts,
            "slipway",
            "NodeImages",
        );
    }
}
