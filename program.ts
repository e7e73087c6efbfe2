// Slipway's Pulumi program, as the design reads: validated config in, one Platform, the outputs
// other stacks read out. Loaded by index.ts once the dynamic provider is registered; its export
// is the stack's outputs (components/stackOutputs.ts says what each one is).
import { dynamicProvider } from "./components/kit/dynamicProvider";
import { loadConfig } from "./config";
import { Platform } from "./components/platform";
import { platformInputs } from "./components/platformInputs";
import { stackOutputs } from "./components/stackOutputs";

const config = loadConfig();
const platform = new Platform("slipway", platformInputs(config), { providers: [dynamicProvider] });

export = stackOutputs(platform, config);
