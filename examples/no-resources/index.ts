// Loads what Slipway's program loads (the SDK, the command provider package, the dynamic
// providers, the config schema) and declares nothing: the floor a no-op `pulumi up` of the
// platform is compared with (bench/pulumiUp.ts).
import "@pulumi/command";
import "../../components/platform";
import "../../lib/config/schema";

export const resources = 0;
