// Another team's stack: reads a Slipway platform (config `producer`: <org>/slipway/<stack>)
// through a StackReference, validated, and deploys a service from one of its promotions
// (config `service`: { promotion, port, command? }) onto its proxy network, behind its Traefik.
// A remote platform's manager is config `endpoint` (ssh://user@host), reached with this stack's
// own key (secret `sshPrivateKey`) and host keys (`knownHosts`), or else the operator's ssh.
import * as pulumi from "@pulumi/pulumi";
import { AppService } from "../../components/consumer/appService";
import { readPlatformOutputs } from "../../components/consumer/platformOutputs";

interface ServiceConfig {
    /** The platform's promotion whose digest to run. */
    promotion: string;
    port: number;
    command?: string[];
}

const config = new pulumi.Config();
const platform = readPlatformOutputs(new pulumi.StackReference(config.require("producer")));

/** Where this stack's services attach to be routed by the platform's Traefik. */
export const proxyNetwork = pulumi.unsecret(platform.proxyNetwork);
export const registryHost = pulumi.unsecret(platform.registryHost);
/** Every disk image the platform currently publishes, by "<platform>/<family>", ref@digest. */
export const currentImages = pulumi
    .unsecret(platform.diskImageCurrent)
    .apply((current) => Object.fromEntries(Object.entries(current).map(([key, c]) => [key, c.indexRef])));
/** The registry password stays a secret here too. */
export const registryPassword = platform.registryPassword;

const service = config.getObject<ServiceConfig>("service");
const promoted = service
    ? pulumi.unsecret(platform.promotions).apply((all) => {
          const p = all[service.promotion];
          if (!p)
              throw new Error(
                  `the platform has no promotion "${service.promotion}" (it has: ${Object.keys(all).join(", ") || "none"}): declare it in its slipway:promotion, or fix this stack's service.promotion`,
              );
          return p.ref;
      })
    : undefined;
const endpoint = config.get("endpoint");
const sshPrivateKey = config.getSecret("sshPrivateKey");
const ssh = sshPrivateKey ? { privateKey: sshPrivateKey, knownHosts: config.require("knownHosts") } : undefined;
const app =
    service && promoted
        ? new AppService(service.promotion, {
              platform,
              image: promoted,
              port: service.port,
              ...(service.command ? { command: service.command } : {}),
              stack: pulumi.getStack(),
              ...(endpoint ? { endpoint } : {}),
              ...(ssh ? { ssh } : {}),
          })
        : undefined;

/** What runs (the promoted digest) and where it answers. */
export const serviceImage = promoted;
export const serviceUrl = app?.url;
