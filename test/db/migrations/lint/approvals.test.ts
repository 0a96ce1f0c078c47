import { afterAll, describe, expect, test } from "bun:test";
import {
  allMigrationPaths,
  formatJson,
  formatText,
  lintFiles,
} from "../../../../src/db/migrations/lint";
import { RULES } from "../../../../src/db/migrations/lint/rules";
import { findingsOf, LintProject } from "./fixture";

const project = new LintProject();
afterAll(() => project.remove());

const DROP_NAME = 'ALTER TABLE "users" DROP COLUMN "name";';

describe("approvals", () => {
  test("every approval in the run of comment lines above a statement counts, across a breakpoint", async () => {
    const sql =
      "SET lock_timeout = '5s';\n" +
      "-- lint:allow drop-column v1.4 stopped reading the name\n" +
      "-- other words\n" +
      "--> statement-breakpoint\n" +
      "-- lint:allow rename nothing reads full_name yet\n" +
      `${DROP_NAME}\n` +
      'ALTER TABLE "users" RENAME COLUMN "email" TO "mail";';
    const report = await project.lint("postgres", sql);
    expect(
      report.findings.map((finding) => [finding.rule, finding.severity, finding.approved]),
    ).toEqual([
      ["drop-column", "note", "v1.4 stopped reading the name"],
      // The approval above the first statement does not reach the second one.
      ["rename", "error", null],
    ]);
    expect(report.counts).toEqual({ errors: 1, notes: 1, approved: 1, files: 1 });
  });

  test("a blank line or a line of code ends the run of comment lines", async () => {
    const blank = `SET lock_timeout = '5s';\n-- lint:allow drop-column reviewed\n\n${DROP_NAME}`;
    const trailing = `SET lock_timeout = '5s'; -- lint:allow drop-column reviewed\n${DROP_NAME}`;
    for (const sql of [blank, trailing]) {
      const [finding] = findingsOf(await project.lint("postgres", sql), "drop-column");
      expect(finding).toMatchObject({ severity: "error", approved: null });
    }
  });

  test("an unknown rule, no rule, or an unapprovable rule is a bad-approval error", async () => {
    const sql =
      "-- lint:allow drop-colum a typo\n-- lint:allow\n-- lint:allow bad-approval because\n" +
      "SET lock_timeout = '5s';";
    const found = findingsOf(await project.lint("postgres", sql), "bad-approval");
    expect(found.map((finding) => [finding.line, finding.severity])).toEqual([
      [1, "error"],
      [2, "error"],
      [3, "error"],
    ]);
    expect(found[0]?.message).toContain("names no known rule");
    expect(found[1]?.message).toContain("names no rule");
  });

  test("in SQLite files too", async () => {
    const sql = "-- lint:allow drop-column\nALTER TABLE `users` DROP COLUMN `name`;";
    const report = await project.lint("sqlite", sql);
    expect(report.findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["bad-approval", 1],
      ["drop-column", 2],
    ]);
  });
});

describe("reports", () => {
  test("text: file:line, severity, rule, message, the safe way, then one summary line", async () => {
    const sql = `SET lock_timeout = '5s';\n-- lint:allow rename the app maps the old name\nALTER TABLE "users" RENAME COLUMN "name" TO "full_name";\n${DROP_NAME}`;
    const report = await project.lint("postgres", sql);
    const lines = formatText(report).trimEnd().split("\n");
    const file = report.findings[0]?.file ?? "";
    expect(file).toMatch(/^drizzle\/postgres\/\d{4}_case\.sql$/);
    expect(lines).toEqual([
      `${file}:3: note rename: (approved: the app maps the old name) renames column "users"."name" to "full_name"; ${RULES.rename.reason}.`,
      `    safe way: ${RULES.rename.fix}`,
      `${file}:4: error drop-column: drops column "users"."name"; ${RULES["drop-column"].reason}.`,
      `    safe way: ${RULES["drop-column"].fix}`,
      "lint: 1 error, 1 note (1 approved) in 1 file",
    ]);
  });

  test("JSON: one document with the findings and the counts", async () => {
    const report = await project.lint("sqlite", "DROP TABLE `users`;");
    expect(JSON.parse(formatJson(report))).toEqual({
      findings: [
        {
          file: expect.stringMatching(/^drizzle\/sqlite\//),
          line: 1,
          dialect: "sqlite",
          rule: "drop-table",
          severity: "error",
          approved: null,
          message: expect.stringContaining('drops existing table "users"'),
          fix: RULES["drop-table"].fix,
        },
      ],
      counts: { errors: 1, notes: 0, approved: 0, files: 1 },
    });
  });
});

test("the committed migrations have no unapproved error: an up file's findings are all approved", async () => {
  const report = await lintFiles(allMigrationPaths());
  expect(report.counts.files).toBeGreaterThanOrEqual(8);
  expect(report.findings.filter((finding) => finding.severity === "error")).toEqual([]);
  // Down files drop or rebuild what their up files made: notes. Up files are approved.
  const upFindings = report.findings.filter((finding) => !finding.file.endsWith(".down.sql"));
  expect(upFindings.filter((finding) => finding.approved === null)).toEqual([]);
});
