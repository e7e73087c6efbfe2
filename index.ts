// Slipway's Pulumi program (program.ts), entered here so that the dynamic-provider plugin boots
// while the program loads: the provider registers as components/kit/dynamicProvider is imported, and
// the registration goes out at the first turn of the event loop. Loading program.ts is
// synchronous work that holds the loop, so it starts only after that turn. (Measured on the
// platform without disk images: a no-op preview 2.5 s -> 2.15 s.) Program.ts's exports are the
// stack's outputs.
import "./components/kit/dynamicProvider";

export = async (): Promise<Record<string, unknown>> => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only now, on purpose (above); an import would load it first
    const program = require("./program") as typeof import("./program");
    return { ...program };
};
