// Which of a swarm stack's services exist: what SwarmStackProbe compares with what the stack's
// compose document declares, so a stack removed by hand is deployed again by the next `up`.
import { sshAccessEnv } from "./sshIdentity";
import { docker } from "./cli";

/** The services of `expected` (names as in the compose document) that the stack lacks. */
export async function missingServices(endpoint: string, stack: string, expected: readonly string[], sshAccess?: string): Promise<string[]> {
    // A stack with no services answers with nothing (exit 0); an unreachable engine throws, naming it.
    const present = new Set(
        (await docker(endpoint, ["stack", "services", stack, "--format", "{{.Name}}"], 60_000, sshAccessEnv(sshAccess))).split("\n").filter(Boolean),
    );
    return expected.filter((service) => !present.has(`${stack}_${service}`));
}
