// Slipway's Pulumi program: validated config → Platform → outputs other stacks read.
import { loadConfig } from "./config";
import { Platform } from "./components/platform";
import { platformImage } from "./lib/images";

const config = loadConfig();
const platform = new Platform("slipway", { config, images: { traefik: platformImage("traefik").id, socketProxy: platformImage("socket-proxy").id, registry: platformImage("registry").id, ciServer: platformImage("woodpecker-server").id, ciAgent: platformImage("woodpecker-agent").id } });

/** Name of the attachable overlay network services join to be routed by Traefik. */
export const proxyNetwork = platform.host.networkName;
/** Labels on the swarm manager node. */
export const nodeLabels = platform.host.labels;
/** CA that issued the proxy's certificate when Slipway generated it (local stacks); trust it to reach the platform. */
export const proxyCaCertificate = platform.proxy.caCertificate;
/** Traefik's health through its own HTTPS route. */
export const proxyPingUrl = platform.proxy.pingUrl;
/** The platform registry's host (registry.<domain>[:port]), user and password (secret). */
export const registryHost = platform.registry.host;
export const registryUsername = platform.registry.username;
export const registryPassword = platform.registry.password;
/** The CI server (Woodpecker) and the bearer token for its /metrics (secret). */
export const ciUrl = platform.ci.url;
export const ciMetricsToken = platform.ci.metricsToken;
