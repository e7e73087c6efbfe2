import { dockerSwarm, nodeVersion, requireAll } from "./support/prerequisites";

export default async function setup(): Promise<void> {
    await requireAll("integration", [nodeVersion, dockerSwarm]);
}
