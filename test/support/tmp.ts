// Scratch directories for one test run: under a root the tier's global setup creates and its
// teardown removes, so nothing a test forgets to clean outlives the run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT_ENV = "SLIPWAY_TEST_TMP";

/** A fresh directory inside this run's scratch root (or the system temp dir outside a tier run). */
export const scratchDir = (prefix: string) => mkdtempSync(join(process.env[ROOT_ENV] ?? tmpdir(), prefix));

/** For a tier's global setup: creates the run's root (workers inherit it) and returns its removal. */
export function scratchRoot(): () => void {
    const root = mkdtempSync(join(tmpdir(), "slipway-test-run-"));
    process.env[ROOT_ENV] = root;
    return () => rmSync(root, { recursive: true, force: true });
}
