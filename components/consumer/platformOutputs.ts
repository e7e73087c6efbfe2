import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_OUTPUT_KEYS, parsePlatformOutputs, type PlatformOutputs } from "../../lib/outputs/schema";

/**
 * A Slipway platform stack's outputs, for another stack: typed and validated, failing its
 * preview with a message naming each missing key when the producer is too old or not deployed.
 * Secret outputs (the registry password) stay secret.
 *
 *     const platform = readPlatformOutputs(new pulumi.StackReference("org/slipway/gamma"));
 *     platform.apply((p) => p.diskImagePublications["edge-node/iso/amd64"]!.ref);
 */
export function readPlatformOutputs(ref: pulumi.StackReference): pulumi.Output<PlatformOutputs> {
    const values: pulumi.Output<unknown>[] = PLATFORM_OUTPUT_KEYS.map((key) => ref.getOutput(key));
    return pulumi.all([ref.name, pulumi.all(values)]).apply(([name, got]) => {
        const raw: Record<string, unknown> = {};
        PLATFORM_OUTPUT_KEYS.forEach((key, i) => {
            if (got[i] !== undefined) raw[key] = got[i];
        });
        return parsePlatformOutputs(name, raw);
    });
}
