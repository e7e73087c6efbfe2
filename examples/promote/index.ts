// Promote `source` to `target` when its revision label equals `expectedRevision`; export the
// promoted digest for the stacks that deploy it.
import * as pulumi from "@pulumi/pulumi";
import { ImagePromotion } from "../../dynamic-providers/imagePromotion";

const config = new pulumi.Config();
const promotion = new ImagePromotion("web", {
    source: config.require("source"),
    target: config.require("target"),
    expectedRevision: config.require("expectedRevision"),
    insecure: config.getBoolean("insecure") ?? false,
});

export const digest = promotion.digest;
export const revision = promotion.revision;
