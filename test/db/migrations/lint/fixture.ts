/**
 * Migration fixtures for the linter: a temp project holding the committed migrations, files
 * added to it, and drizzle-kit's own SQL for changes to the committed schema.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dialect } from "../../../../src/config";
import { joinStatements, journalPath, migrationsFolder } from "../../../../src/db/migrations/files";
import { type LintFinding, type LintReport, lintFiles } from "../../../../src/db/migrations/lint";
import type { RuleId } from "../../../../src/db/migrations/lint/rules";
import { diffSnapshots, type Rename, readSnapshot } from "../../../../src/db/migrations/snapshots";

/** A temp project whose drizzle/<dialect> folders are copies of the committed ones. */
export class LintProject {
  readonly root = mkdtempSync(join(tmpdir(), "tenant-api-lint-"));
  private written = 0;

  constructor() {
    for (const dialect of ["postgres", "sqlite"] as const)
      cpSync(migrationsFolder(dialect), this.folder(dialect), { recursive: true });
  }

  folder(dialect: Dialect): string {
    return join(this.root, "drizzle", dialect);
  }

  /** Writes a migration file; in the journal only when asked (otherwise all of it is earlier). */
  write(
    dialect: Dialect,
    sql: string,
    options: { tag?: string; journal?: boolean; down?: boolean } = {},
  ): string {
    this.written += 1;
    const tag = options.tag ?? `9${String(this.written).padStart(3, "0")}_case`;
    const path = join(this.folder(dialect), `${tag}${options.down ? ".down" : ""}.sql`);
    writeFileSync(path, sql);
    if (options.journal) {
      const journal = JSON.parse(readFileSync(journalPath(this.folder(dialect)), "utf8"));
      journal.entries.push({
        idx: journal.entries.length,
        version: "7",
        when: Date.now(),
        tag,
        breakpoints: true,
      });
      writeFileSync(journalPath(this.folder(dialect)), JSON.stringify(journal, null, 2));
    }
    return path;
  }

  /** Lints one new migration holding `sql`. */
  lint(dialect: Dialect, sql: string, options: { down?: boolean } = {}): Promise<LintReport> {
    return lintFiles([this.write(dialect, sql, options)], this.root);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const findingsOf = (report: LintReport, rule: string): LintFinding[] =>
  report.findings.filter((finding) => finding.rule === rule);

export const errorsOf = (report: LintReport): LintFinding[] =>
  report.findings.filter((finding) => finding.severity === "error");

/** The 1-based line of the first line of `sql` that contains `marker`. */
function lineOf(sql: string, marker: string): number {
  const index = sql.split("\n").findIndex((line) => line.includes(marker));
  if (index === -1) throw new Error(`no line of the SQL contains ${marker}`);
  return index + 1;
}

/** `sql` with `comment` as a line of its own just above line `line`. */
function withLineAbove(sql: string, line: number, comment: string): string {
  const lines = sql.split("\n");
  lines.splice(line - 1, 0, comment);
  return lines.join("\n");
}

// drizzle-kit's snapshot JSON holds more than the Snapshot type names (checks, uniques, column
// details); the edits below write those fields as drizzle-kit spells them.
// biome-ignore lint/suspicious/noExplicitAny: an edit of drizzle-kit's own JSON
type SnapshotJson = Record<string, any>;

/** Edits of the committed schema, as a developer would make them in src/db/schema.ts. */
export interface SchemaEdit {
  table(name: string): SnapshotJson;
  dropTable(name: string): void;
  /** Renames need stating: snapshots do not record them (drizzle-kit asks in a terminal). */
  renameTable(from: string, to: string): void;
  renameColumn(table: string, from: string, to: string): void;
}

/** What drizzle-kit writes for an edit of the committed schema (the latest snapshot). */
export async function drizzleSql(
  dialect: Dialect,
  edit: (schema: SchemaEdit) => void,
): Promise<string> {
  const folder = migrationsFolder(dialect);
  const journal = JSON.parse(readFileSync(journalPath(folder), "utf8"));
  const before = readSnapshot(folder, journal.entries.length - 1);
  const after = structuredClone(before);
  const tables = after.tables as SnapshotJson;
  const key = (name: string) => (dialect === "postgres" ? `public.${name}` : name);
  const renames: Rename[] = [];
  const table = (name: string): SnapshotJson => {
    const found = tables[key(name)];
    if (found === undefined) throw new Error(`the snapshot has no table ${name}`);
    return found;
  };
  edit({
    table,
    dropTable: (name) => {
      table(name);
      delete tables[key(name)];
    },
    renameTable: (from, to) => {
      const moved = table(from);
      delete tables[key(from)];
      moved.name = to;
      tables[key(to)] = moved;
      for (const other of Object.values(tables)) {
        for (const foreignKey of Object.values(other.foreignKeys ?? {}) as SnapshotJson[]) {
          if (foreignKey.tableFrom === from) foreignKey.tableFrom = to;
          if (foreignKey.tableTo === from) foreignKey.tableTo = to;
        }
      }
      renames.push({ kind: "table", from, to });
    },
    renameColumn: (name, from, to) => {
      const columns = table(name).columns;
      columns[to] = { ...columns[from], name: to };
      delete columns[from];
      renames.push({ kind: "column", table: name, from, to });
    },
  });
  return joinStatements(await diffSnapshots(dialect, before, after, renames));
}

/** One way to break a rule, with its safe rewrite, checked by testRuleCase. */
export interface RuleCase {
  rule: RuleId;
  name: string;
  /** SQL that breaks the rule: drizzle-kit's own where it writes such a change. */
  unsafe: string | (() => Promise<string>);
  /** Part of the line where the offending statement starts. */
  at: string;
  /** The safe way, which lints without any error; null when it is an approved later migration. */
  safe: string | null;
  /** The same change to a table the file creates first: not found. null when the table does not matter. */
  onNewTable: string | null;
}

/** The tests every rule gets: found, approved, badly approved, rewritten, and on a new table. */
export function testRuleCase(
  dialect: Dialect,
  project: () => LintProject,
  ruleCase: RuleCase,
): void {
  const { rule } = ruleCase;
  describe(`${rule}: ${ruleCase.name}`, () => {
    let unsafe = "";
    let line = 0;
    beforeAll(async () => {
      unsafe = typeof ruleCase.unsafe === "string" ? ruleCase.unsafe : await ruleCase.unsafe();
      line = lineOf(unsafe, ruleCase.at);
    });

    test("is an error at the line of the statement's first token", async () => {
      const found = findingsOf(await project().lint(dialect, unsafe), rule);
      expect(found.length).toBeGreaterThan(0);
      expect(
        found.map((finding) => [finding.line, finding.severity, finding.dialect]),
      ).toContainEqual([line, "error", dialect]);
    });

    test("an approval in the comment lines above makes it a note with the reason", async () => {
      const approved = withLineAbove(
        unsafe,
        line,
        `-- lint:allow ${rule} the table is empty in every deployment`,
      );
      const report = await project().lint(dialect, approved);
      const found = findingsOf(report, rule);
      expect(found.length).toBeGreaterThan(0);
      for (const finding of found) {
        expect(finding.severity).toBe("note");
        expect(finding.approved).toBe("the table is empty in every deployment");
      }
    });

    test("an approval without a reason is a bad-approval error, and approves nothing", async () => {
      const report = await project().lint(
        dialect,
        withLineAbove(unsafe, line, `-- lint:allow ${rule}`),
      );
      expect(findingsOf(report, "bad-approval")).toMatchObject([{ line, severity: "error" }]);
      expect(findingsOf(report, rule).every((finding) => finding.severity === "error")).toBe(true);
    });

    if (ruleCase.safe !== null) {
      const safe = ruleCase.safe;
      test("the safe rewrite has no error", async () => {
        expect(errorsOf(await project().lint(dialect, safe))).toEqual([]);
      });
    }

    if (ruleCase.onNewTable !== null) {
      const onNewTable = ruleCase.onNewTable;
      test("on a table created earlier in the same file it is not found", async () => {
        expect(findingsOf(await project().lint(dialect, onNewTable), rule)).toEqual([]);
      });
    }
  });
}
