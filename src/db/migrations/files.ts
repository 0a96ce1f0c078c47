import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dialect } from "../../config";

/** One migration as drizzle-kit wrote it: `<tag>.sql`, listed in meta/_journal.json. */
export interface MigrationFile {
  index: number;
  tag: string;
  /** The journal's `when`: drizzle records it as created_at and it keys the applied row. */
  createdAt: number;
  /** sha256 of the .sql file, as drizzle's migrator records it. */
  hash: string;
  statements: string[];
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";

export function migrationsFolder(dialect: Dialect): string {
  return fileURLToPath(new URL(`../../../drizzle/${dialect}`, import.meta.url));
}

export function splitStatements(sqlText: string): string[] {
  return sqlText
    .split(STATEMENT_BREAKPOINT)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
}

function readJournal(folder: string): JournalEntry[] {
  const path = join(folder, "meta", "_journal.json");
  if (!existsSync(path)) throw new Error(`No migration journal at ${path}`);
  const journal = JSON.parse(readFileSync(path, "utf8")) as { entries?: JournalEntry[] };
  if (!Array.isArray(journal.entries)) throw new Error(`${path} has no "entries" list`);
  return journal.entries;
}

/** The migrations in journal order, oldest first. */
export function readMigrations(folder: string): MigrationFile[] {
  return readJournal(folder).map((entry) => {
    const path = join(folder, `${entry.tag}.sql`);
    if (!existsSync(path))
      throw new Error(`Migration ${entry.tag} is in the journal but ${path} is missing`);
    const text = readFileSync(path, "utf8");
    return {
      index: entry.idx,
      tag: entry.tag,
      createdAt: entry.when,
      hash: createHash("sha256").update(text).digest("hex"),
      statements: splitStatements(text),
    };
  });
}
