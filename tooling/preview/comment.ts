// The pull-request comment for a `pulumi preview --json`: counts, then what matters in this
// domain (promotions, verifications that would run, retention deletions and bytes freed, disk
// images that would rebuild), then per resource the property paths that change, collapsed.
// Pure. It prints no property VALUE except the few domain fields above, all public (digests,
// references, counts), and those pass a secret check: a secret cannot reach the comment.

/** The parts of `pulumi preview --json` this reads. */
export interface PreviewJson {
    steps?: PreviewStep[];
    changeSummary?: Record<string, number>;
}

export interface PreviewStep {
    op: string;
    urn: string;
    newState?: { type?: string; inputs?: Record<string, unknown> };
    oldState?: { type?: string; inputs?: Record<string, unknown> };
    diffReasons?: string[];
    detailedDiff?: Record<string, { kind: string }> | null;
}

/** GitHub's limit on a comment's body. */
export const COMMENT_LIMIT = 65_536;
/** The marker CI finds its own comment by, to edit it in place on the next push. */
export const MARKER = "<!-- slipway-preview -->";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** The engine's placeholder for a value known only once the update runs. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ORDER = ["create", "update", "replace", "delete"] as const;

export interface CommentMeta {
    stack: string;
    headSha: string;
    /** Where the run saved the preview's plan (registry reference by digest), to apply exactly what was reviewed. */
    plan?: string;
    /** The preview ran without reaching the site's hosts (the platform's CI): drift there was not checked. */
    withoutHosts?: boolean;
}

export function renderPreviewComment(preview: PreviewJson, meta: CommentMeta, limit = COMMENT_LIMIT): string {
    const steps = (preview.steps ?? []).filter((s) => s.op !== "same" && !typeOf(s).startsWith("pulumi:providers:") && typeOf(s) !== "pulumi:pulumi:Stack");
    const head = [
        MARKER,
        `### \`pulumi preview\` of \`${meta.stack}\``,
        `Computed for ${meta.headSha}.`,
        "",
        `| ${ORDER.join(" | ")} |`,
        `|${ORDER.map(() => "---").join("|")}|`,
        `| ${ORDER.map((op) => countOf(preview, steps, op)).join(" | ")} |`,
        "",
        ...domainSummary(steps),
        ...(meta.withoutHosts
            ? [
                  "Diffed against the recorded state: the CI does not reach the site's hosts, so drift there (a service or image removed by hand) is not checked; `pulumi preview` on the platform's host does.",
                  "",
              ]
            : []),
        ...planLines(meta),
    ].join("\n");
    const sections = steps.map(renderStep);
    // Whole sections only: when they do not all fit, the rest is summarised, never cut mid-section.
    let body = head + "\n";
    let shown = 0;
    for (const section of sections) {
        const tail = omittedLine(sections.length - shown - 1);
        if (body.length + section.length + tail.length + 1 > limit) break;
        body += section + "\n";
        shown++;
    }
    if (shown < sections.length) body += omittedLine(sections.length - shown);
    return body;
}

const omittedLine = (n: number) => (n > 0 ? `\n… and ${n} more changed resources, summarised above; the CI log has every diff.\n` : "");

function countOf(preview: PreviewJson, steps: PreviewStep[], op: string): number {
    return preview.changeSummary?.[op] ?? steps.filter((s) => s.op === op).length;
}

function typeOf(step: PreviewStep): string {
    return step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2] ?? "";
}

const nameOf = (step: PreviewStep) => step.urn.split("::").pop() ?? step.urn;

function inputsOf(step: PreviewStep): Record<string, unknown> {
    return step.newState?.inputs ?? step.oldState?.inputs ?? {};
}

/** A value fit to print: a plain string or number, never a secret (by sigil or the engine's "[secret]"). */
function publicText(value: unknown): string | undefined {
    if (typeof value === "number") return String(value);
    if (typeof value !== "string" || value === "[secret]" || value.includes(SECRET_SIG) || value === UNKNOWN) return undefined;
    return value.replace(/[`|<>]/g, "");
}

function domainSummary(steps: PreviewStep[]): string[] {
    const lines: string[] = [];
    const of = (suffix: string) => steps.filter((s) => typeOf(s).endsWith(suffix) && s.op !== "delete");
    for (const s of of("slipway:ImagePromotion")) {
        const i = inputsOf(s);
        lines.push(
            `- promotion **${nameOf(s)}**: ${publicText(i.source) ?? "?"} → ${publicText(i.target) ?? "?"} at revision \`${publicText(i.expectedRevision) ?? "?"}\``,
        );
    }
    for (const s of of("slipway:CosignVerification"))
        lines.push(
            `- verification would run: ${publicText(inputsOf(s).reference) ? `\`${publicText(inputsOf(s).reference)}\`` : `\`${nameOf(s)}\` (reference known once published)`}`,
        );
    for (const s of of("slipway:RetentionPolicy")) {
        const i = inputsOf(s);
        const deletions = Array.isArray(i.plannedDeletions) ? i.plannedDeletions.length : 0;
        const bytes = typeof i.bytesReclaimable === "number" ? i.bytesReclaimable : 0;
        if (deletions)
            lines.push(`- retention in \`${publicText(i.repository) ?? "?"}\` would delete ${deletions} manifests, reclaiming ${formatBytes(bytes)}`);
    }
    const rebuilds = steps.filter(
        (s) => typeOf(s) === "command:local:Command" && /^node bin\/scripts\/diskImage\.js build /.test(publicText(inputsOf(s).create) ?? ""),
    );
    if (rebuilds.length) lines.push(`- disk images that would build: ${rebuilds.map((s) => `\`${nameOf(s)}\``).join(", ")}`);
    return lines.length ? ["**What this changes**", ...lines, ""] : [];
}

/** Every changed resource and its changed property paths, one line each, unbounded: what the CI log shows beside the comment. */
export function renderPreviewLog(preview: PreviewJson): string {
    const steps = (preview.steps ?? []).filter((s) => s.op !== "same" && !typeOf(s).startsWith("pulumi:providers:") && typeOf(s) !== "pulumi:pulumi:Stack");
    return (
        steps.map((s) => `${s.op} ${nameOf(s)} (${typeOf(s)})${changedPaths(s).length ? `: ${changedPaths(s).join(", ")}` : ""}`).join("\n") +
        (steps.length ? "\n" : "")
    );
}

const changedPaths = (step: PreviewStep) =>
    step.detailedDiff ? Object.entries(step.detailedDiff).map(([path, d]) => `${path} (${d.kind})`) : (step.diffReasons ?? []);

function renderStep(step: PreviewStep): string {
    const paths = changedPaths(step);
    const list =
        step.op === "create"
            ? "- new"
            : step.op === "delete"
              ? "- removed"
              : paths.length
                ? paths.map((p) => `- \`${p.replace(/`/g, "")}\``).join("\n")
                : "- (no property paths reported)";
    return `<details><summary>${step.op} <code>${nameOf(step)}</code> (${typeOf(step)})</summary>\n\n${list}\n\n</details>`;
}

function formatBytes(n: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
        n /= 1024;
        i++;
    }
    return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** How to apply exactly the reviewed change: the saved plan, by digest (`pulumi up --plan` refuses anything else). */
function planLines(meta: CommentMeta): string[] {
    const ref = meta.plan && /^[\w.:/-]+@sha256:[a-f0-9]{64}$/.test(meta.plan) ? meta.plan : undefined;
    if (!ref) return [];
    return [
        `**Plan** \`${ref}\`: apply exactly this change with`,
        "```",
        `crane export ${ref} - | tar -xO plan.json > plan.json && pulumi up --stack ${meta.stack.replace(/[^\w./-]/g, "")} --plan plan.json`,
        "```",
        "",
    ];
}

/** A preview that failed, as the engine reported it. */
export interface FailedPreview {
    /** `pulumi preview --json` standard output, when it wrote any (its diagnostics). */
    json?: string;
    /** Its standard error. */
    stderr: string;
}

/**
 * The comment for a preview that failed: that it failed, for which head, and the engine's errors
 * (Slipway's config errors name their fixes). `secrets` (the step's credentials) are cut out of
 * the text, whatever printed them.
 */
export function renderFailureComment(failed: FailedPreview, meta: CommentMeta, secrets: readonly string[], limit = COMMENT_LIMIT): string {
    const fence = "```";
    const head = [
        MARKER,
        `### \`pulumi preview\` of \`${meta.stack}\` failed`,
        `Computed for ${meta.headSha}. Nothing can be applied from this head until the errors below are fixed.`,
        "",
        fence,
    ].join("\n");
    const tail = `\n${fence}\n`;
    let text = errorText(failed);
    for (const secret of secrets.filter((v) => v.length >= 4)) text = text.split(secret).join("[secret]");
    text = text.split(fence).join("'''");
    const room = limit - head.length - tail.length - 1;
    const cut = "\n… (cut; the CI log has the rest)";
    if (text.length > room) text = text.slice(0, Math.max(0, room - cut.length)) + cut;
    return `${head}\n${text}${tail}`;
}

function errorText(failed: FailedPreview): string {
    const fromJson = (() => {
        try {
            const parsed = JSON.parse(failed.json ?? "") as { diagnostics?: Array<{ severity?: string; message?: string }> };
            return (parsed.diagnostics ?? []).filter((d) => d.severity === "error" && typeof d.message === "string").map((d) => d.message!.trim());
        } catch {
            return [];
        }
    })();
    if (fromJson.length) return fromJson.join("\n\n");
    // eslint-disable-next-line no-control-regex
    const lines = failed.stderr.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    const first = lines.findIndex((l) => /^\s*error:/.test(l));
    return (first >= 0 ? lines.slice(first) : lines.slice(-40)).join("\n").trim() || "(the preview printed no error: see the CI log)";
}
