import { commands, diskImageTools, dockerSwarm, nodeVersion, requireAll } from "./support/prerequisites";
import { scratchRoot } from "./support/tmp";

export default async function setup(): Promise<() => void> {
    await requireAll("integration", [
        nodeVersion,
        dockerSwarm,
        diskImageTools,
        commands("go", "registry", "docker-registry", "olareg", "cosign", "crane", "skopeo", "htpasswd", "openssl", "tar"),
    ]);
    return scratchRoot();
}
