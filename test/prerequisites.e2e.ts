import { commands, diskImageTools, multiNodeTools, compiledProgram, dockerSwarm, nodeVersion, pulumiToolchain, requireAll } from "./support/prerequisites";
import { scratchRoot } from "./support/tmp";

export default async function setup(): Promise<() => void> {
    await requireAll("e2e", [nodeVersion, dockerSwarm, pulumiToolchain, compiledProgram, diskImageTools, commands("registry", "cosign"), multiNodeTools]);
    return scratchRoot();
}
