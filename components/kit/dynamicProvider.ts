// The one provider every dynamic resource of the platform runs under: explicit, registered before
// the rest of the program loads, and configured with nothing. Two reasons:
// - Speed. The dynamic-provider plugin is a Node.js process that loads the Pulumi SDK (about half
//   a second here). A default provider boots only when the first dynamic resource registers, after
//   the whole program has loaded; this one boots while it loads. index.ts imports this module
//   first for that reason, and it imports nothing but the SDK's resource and metadata modules
//   (already loaded by the language host): `@pulumi/pulumi` itself would load the automation API
//   first.
// - Secrets. A default provider is configured with the whole stack configuration, every secret in
//   it included. Slipway's dynamic providers read what they need at call time, so they get none.
// Stacks deployed before it used the default provider: the alias adopts that one in place (its
// configuration goes, an update of the provider alone; no resource under it changes).
import { ProviderResource } from "@pulumi/pulumi/resource";
import { getProject, getStack } from "@pulumi/pulumi/metadata";

const defaultProvider = `urn:pulumi:${getStack()}::${getProject()}::pulumi:providers:pulumi-nodejs::default`;

/** The SDK declares ProviderResource abstract; the dynamic-provider plugin needs no more than it. */
class DynamicProvider extends ProviderResource {}

/** Registered as this module loads (see above): import it before anything else. */
export const dynamicProvider: ProviderResource = new DynamicProvider("pulumi-nodejs", "slipway-dynamic", {}, { aliases: [defaultProvider] });
