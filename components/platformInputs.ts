// What the Platform is built from besides its config, read from this checkout: the image each
// role runs (setup's record, or a pin) and, with disk images, the recipe's commit and the lock's
// Debian pins. A missing piece is a RunError: the operator sees what to run, not a stack trace.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { DebPin } from "../lib/diskimage/debs";
import { recipeCommit } from "../lib/diskimage/recipe";
import { imagePlan } from "../lib/images/plan";
import { projectDir } from "./kit/projectDir";
import type { PlatformArgs } from "./platform";

export function platformInputs(config: PlatformConfig): PlatformArgs {
    const root = resolve(projectDir());
    const images = asRunError(() => imagePlan(config));
    // Read only when declared: they need a git checkout.
    const diskImageInputs = config.diskImages.length
        ? asRunError(() => {
              const lock = JSON.parse(readFileSync(join(root, "toolchain.lock.json"), "utf8")) as { debs?: Record<string, DebPin> };
              return { recipe: recipeCommit(root), debs: lock.debs ?? {} };
          })
        : undefined;
    return { config, images, ...(diskImageInputs ? { diskImageInputs } : {}) };
}

function asRunError<T>(read: () => T): T {
    try {
        return read();
    } catch (error) {
        throw new pulumi.RunError((error as Error).message);
    }
}
