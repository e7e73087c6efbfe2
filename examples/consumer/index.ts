// Another team's stack: reads a Slipway platform (config `producer`: <org>/slipway/<stack>)
// through a StackReference, validated, and uses what it publishes.
import * as pulumi from "@pulumi/pulumi";
import { readPlatformOutputs } from "../../components/platformOutputs";

const config = new pulumi.Config();
const platform = readPlatformOutputs(new pulumi.StackReference(config.require("producer")));

/** Where this stack's services would attach to be routed by the platform's Traefik. */
export const proxyNetwork = platform.proxyNetwork;
export const registryHost = platform.registryHost;
/** Every disk image the platform currently publishes, by "<platform>/<family>", ref@digest. */
export const currentImages = platform.diskImageCurrent.apply((current) => Object.fromEntries(Object.entries(current).map(([key, c]) => [key, c.indexRef])));
/** The registry password stays a secret here too. */
export const registryPassword = platform.registryPassword;
