// Prune `repository` to the newest `keep` publications per artifact family; preview lists the
// digests that would be deleted and the bytes that frees.
import * as pulumi from "@pulumi/pulumi";
import { RetentionPolicy } from "../../dynamic-providers/retentionPolicy";
import { reportRetention } from "../../components/registry/retentionReport";

const config = new pulumi.Config();
const policy = new RetentionPolicy("publications", {
    repository: config.require("repository"),
    groupBy: ["dev.slipway.family"],
    keep: config.getNumber("keep") ?? 3,
    insecure: config.getBoolean("insecure") ?? false,
});

// What would go (preview) and what went (up), in Pulumi's output on the resource.
reportRetention(policy, config.require("repository"));

export const deleted = policy.deleted;
export const bytesReclaimable = policy.bytesReclaimable;
