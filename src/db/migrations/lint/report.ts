/** Findings as the dialect rules detect them, as the linter reports them, and as text or JSON. */
import type { Dialect } from "../../../config";
import type { RuleId } from "./rules";

/** What a dialect's rules found at a statement, before approvals and severity apply. */
export interface Detection {
  rule: RuleId;
  /** Line of the statement's first token, 1-based: approvals sit in the comment lines above. */
  line: number;
  /** What the statement does, e.g. `drops column "users"."name"`; the rule's reason follows. */
  what: string;
}

/** A rule that fired at a statement and what the statement does to fire it. */
export type Hit = [rule: RuleId, what: string];

export interface LintFinding {
  /** Relative to the project root. */
  file: string;
  line: number;
  dialect: Dialect;
  rule: RuleId;
  /** Errors come from up files and fail the lint; down files and approvals give notes. */
  severity: "error" | "note";
  /** The reason of the `-- lint:allow` comment that approved it, or null. */
  approved: string | null;
  message: string;
  fix: string;
}

export interface LintReport {
  findings: LintFinding[];
  counts: { errors: number; notes: number; approved: number; files: number };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

export function summarize(findings: LintFinding[], files: number): LintReport {
  return {
    findings,
    counts: {
      errors: findings.filter((finding) => finding.severity === "error").length,
      notes: findings.filter((finding) => finding.severity === "note").length,
      approved: findings.filter((finding) => finding.approved !== null).length,
      files,
    },
  };
}

/** Each finding on a line of its own with its fix below, then one summary line for CI logs. */
export function formatText(report: LintReport): string {
  const lines = report.findings.flatMap((finding) => [
    `${finding.file}:${finding.line}: ${finding.severity} ${finding.rule}: ${
      finding.approved === null ? "" : `(approved: ${finding.approved}) `
    }${finding.message}`,
    `    safe way: ${finding.fix}`,
  ]);
  const { errors, notes, approved, files } = report.counts;
  lines.push(
    `lint: ${plural(errors, "error")}, ${plural(notes, "note")} (${approved} approved) in ${plural(files, "file")}`,
  );
  return `${lines.join("\n")}\n`;
}

export const formatJson = (report: LintReport) => `${JSON.stringify(report, null, 2)}\n`;
