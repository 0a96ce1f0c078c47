import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dialect } from "../../config";

/**
 * One migration as drizzle-kit wrote it (`<tag>.sql`, listed in meta/_journal.json), with the
 * `<tag>.down.sql` that reverts it.
 */
export interface MigrationFile {
  index: number;
  tag: string;
  /** The journal's `when`: drizzle records it as created_at and it keys the applied row. */
  createdAt: number;
  /** sha256 of the .sql file, as drizzle's migrator records it; null when the file is missing. */
  hash: string | null;
  /** null when `<tag>.sql` is missing. */
  statements: string[] | null;
  /** null when `<tag>.down.sql` is missing. */
  downStatements: string[] | null;
}

export interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
  version?: string;
  breakpoints?: boolean;
}

export interface Journal {
  version?: string;
  dialect?: string;
  entries: JournalEntry[];
}

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";

export function migrationsFolder(dialect: Dialect): string {
  return fileURLToPath(new URL(`../../../drizzle/${dialect}`, import.meta.url));
}

export const journalPath = (folder: string) => join(folder, "meta", "_journal.json");
export const upPath = (folder: string, tag: string) => join(folder, `${tag}.sql`);
export const downPath = (folder: string, tag: string) => join(folder, `${tag}.down.sql`);
export const snapshotPath = (folder: string, index: number) =>
  join(folder, "meta", `${String(index).padStart(4, "0")}_snapshot.json`);

export function splitStatements(sqlText: string): string[] {
  return sqlText
    .split(STATEMENT_BREAKPOINT)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
}

export function joinStatements(statements: string[]): string {
  return statements.length === 0 ? "" : `${statements.join(`\n${STATEMENT_BREAKPOINT}\n`)}\n`;
}

export function readJournal(folder: string): Journal {
  const path = journalPath(folder);
  if (!existsSync(path)) throw new Error(`No migration journal at ${path}`);
  const journal = JSON.parse(readFileSync(path, "utf8")) as Journal;
  if (!Array.isArray(journal.entries)) throw new Error(`${path} has no "entries" list`);
  return journal;
}

function readOptional(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** The migrations in journal order, oldest first. */
export function readMigrations(folder: string): MigrationFile[] {
  return readJournal(folder).entries.map((entry) => {
    const up = readOptional(upPath(folder, entry.tag));
    const down = readOptional(downPath(folder, entry.tag));
    return {
      index: entry.idx,
      tag: entry.tag,
      createdAt: entry.when,
      hash: up === null ? null : createHash("sha256").update(up).digest("hex"),
      statements: up === null ? null : splitStatements(up),
      downStatements: down === null ? null : splitStatements(down),
    };
  });
}

/** The SQL that moves through a migration in a direction: null when its file is missing. */
export function statementsFor(migration: MigrationFile, direction: "up" | "down"): string[] | null {
  return direction === "up" ? migration.statements : migration.downStatements;
}
