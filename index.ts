// Slipway's Pulumi program: validated config → Platform → outputs other stacks read.
import { loadConfig } from "./config";
import { Platform } from "./components/platform";

const config = loadConfig();
const platform = new Platform("slipway", { config });

/** Name of the attachable overlay network services join to be routed by Traefik. */
export const proxyNetwork = platform.host.networkName;
/** Labels on the swarm manager node. */
export const nodeLabels = platform.host.labels;
