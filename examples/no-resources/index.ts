// The floor a no-op `pulumi up`/`preview` of the platform is compared with (bench/pulumiUp.ts):
// a program with the same providers and no resources. It loads what Slipway's program loads (the
// SDK, the command provider package, the components, the config schema) and starts the same two
// provider plugins, each as an explicit provider (a provider resource, which manages nothing):
// the dynamic-provider plugin the way the platform starts it, and the command provider.
import { dynamicProvider } from "../../components/kit/dynamicProvider";
import * as command from "@pulumi/command";
import "../../components/platform";
import "../../config/schema";

const commandProvider = new command.Provider("command", {});

export const providers = [dynamicProvider.urn, commandProvider.urn];
