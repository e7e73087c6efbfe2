// Reads docs/operator-guide.md: its shell blocks, each with the test that exercises it, and
// named blocks that tests run verbatim. The guide cannot rot quietly: a command a test does not
// exercise, a config key the schema does not know, or an error text Slipway does not print
// fails the unit tier (test/unit/operatorGuide.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./prerequisites";

export const GUIDE = join(ROOT, "docs", "operator-guide.md");

export interface GuideBlock {
    /** `sh` (commands) or `text` (what Slipway prints). */
    lang: string;
    /** The markers in the HTML comment right above the block: `exercised`, `block`, `printed-by`. */
    markers: Record<string, string>;
    /** Non-empty lines that are not comments. */
    lines: string[];
    /** The block's first line number in the guide (1-based). */
    line: number;
}

export function guideBlocks(text = readFileSync(GUIDE, "utf8")): GuideBlock[] {
    const lines = text.split("\n");
    const blocks: GuideBlock[] = [];
    for (let i = 0; i < lines.length; i++) {
        const fence = /^```(\w+)\s*$/.exec(lines[i]!);
        if (!fence) continue;
        const markers: Record<string, string> = {};
        for (const m of (lines[i - 1] ?? "").matchAll(/(\w[\w-]*): ([^;]+?)(?=;|\s*-->)/g)) markers[m[1]!] = m[2]!.trim();
        const body: string[] = [];
        let j = i + 1;
        for (; j < lines.length && lines[j] !== "```"; j++) body.push(lines[j]!);
        blocks.push({ lang: fence[1]!, markers, lines: body.filter((l) => l.trim() && !l.trim().startsWith("#")), line: i + 1 });
        i = j;
    }
    return blocks;
}

/** The commands of the block marked `block: <name>`. */
export function guideBlock(name: string): string[] {
    const block = guideBlocks().find((b) => b.markers.block === name);
    if (!block) throw new Error(`docs/operator-guide.md has no block marked "block: ${name}"`);
    return block.lines;
}
