// The recipe's commit: the last one that changed how disk images are built. Its time is every
// artifact's SOURCE_DATE_EPOCH and its SHA is recorded with every publication. Commits that
// touch nothing here change no artifact, so they rebuild nothing.
import { execFileSync } from "node:child_process";

/** Paths (from the project root) whose changes change what the builder produces. */
export const RECIPE_PATHS = ["lib/diskimage"];

export interface RecipeCommit {
    gitSha: string;
    sourceDateEpoch: number;
    /** Uncommitted changes under RECIPE_PATHS: artifacts would not match the recorded commit. */
    dirty: boolean;
}

export function recipeCommit(projectRoot: string): RecipeCommit {
    const git = (args: string[]) => {
        try {
            return execFileSync("git", args, { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
        } catch (error) {
            throw new Error(
                `disk images are built from a git checkout (their SOURCE_DATE_EPOCH is the recipe's commit time), and git ${args.join(" ")} failed in ${projectRoot}: ${(error as Error).message}`,
            );
        }
    };
    const [gitSha, time] = git(["log", "-1", "--format=%H %ct", "--", ...RECIPE_PATHS]).split(" ");
    if (!gitSha || !time) throw new Error(`no commit in ${projectRoot} touches ${RECIPE_PATHS.join(", ")}: commit the recipe before building disk images`);
    const dirty = git(["status", "--porcelain", "--", ...RECIPE_PATHS]) !== "";
    return { gitSha, sourceDateEpoch: Number(time), dirty };
}
