// Slipway's Pulumi program: validated config → Platform → outputs other stacks read.
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { Platform } from "./components/platform";
import { resolveImages } from "./lib/images";

const config = loadConfig();
const images = (() => {
    try {
        return resolveImages(config.images, config.host.endpoint);
    } catch (error) {
        // A configuration problem, not a crash: shown without a stack trace.
        throw new pulumi.RunError((error as Error).message);
    }
})();
const platform = new Platform("slipway", {
    config,
    images: { traefik: images.traefik, socketProxy: images["socket-proxy"], registry: images.registry, ciServer: images["woodpecker-server"], ciAgent: images["woodpecker-agent"] },
});

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
