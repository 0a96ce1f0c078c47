/**
 * The migration linter: finds schema changes that are unsafe while the previous app version
 * still runs (see docs/migration-lint.md). It reads files only and never opens a database.
 */
import type { Dialect } from "../../../config";
import { assertUnreachable } from "../../../lib/assert";
import { type LintTarget, lintTargets, projectRoot } from "./inputs";
import { lintPostgres } from "./postgres";
import { loadPostgresParser } from "./postgres-parse";
import { type Detection, type LintFinding, type LintReport, summarize } from "./report";
import { fixFor, RULES } from "./rules";
import { lintSqlite } from "./sqlite";
import { readApprovals } from "./statements";

export {
  allMigrationPaths,
  LintInputError,
  migrationsAddedSince,
  projectRoot,
} from "./inputs";
export { formatJson, formatText, type LintFinding, type LintReport } from "./report";

function detect(dialect: Dialect, target: LintTarget): Detection[] {
  switch (dialect) {
    case "postgres":
      return lintPostgres(target.text, target.earlier);
    case "sqlite":
      return lintSqlite(target.text, target.earlier);
    default:
      return assertUnreachable(dialect);
  }
}

function lintTarget(target: LintTarget): LintFinding[] {
  const approvals = readApprovals(target.text, target.dialect);
  const detections: Detection[] = [
    ...approvals.bad.map(
      (bad): Detection => ({ rule: "bad-approval", line: bad.line, what: bad.message }),
    ),
    ...detect(target.dialect, target),
  ];
  return detections
    .map((detection): LintFinding => {
      const approval = RULES[detection.rule].approvable
        ? approvals.above(detection.line).find((candidate) => candidate.rule === detection.rule)
        : undefined;
      return {
        file: target.file,
        line: detection.line,
        dialect: target.dialect,
        rule: detection.rule,
        severity: target.direction === "up" && approval === undefined ? "error" : "note",
        approved: approval?.reason ?? null,
        message: `${detection.what}; ${RULES[detection.rule].reason}.`,
        fix: fixFor(detection.rule, target.dialect),
      };
    })
    .sort((a, b) => a.line - b.line);
}

/**
 * Lints migration files (up and down, of either dialect); throws LintInputError when a path is
 * not a migration. `root` is what the printed paths are relative to.
 */
export async function lintFiles(paths: string[], root = projectRoot()): Promise<LintReport> {
  const targets = lintTargets(paths, root);
  if (targets.some((target) => target.dialect === "postgres")) await loadPostgresParser();
  return summarize(targets.flatMap(lintTarget), targets.length);
}
