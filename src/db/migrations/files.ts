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
  /** Which files start with `-- migrate:no-transaction`: run statement by statement. */
  noTransaction: { up: boolean; down: boolean };
  /** The reason a down file gives for `-- irreversible: <reason>`, when it has no statements. */
  irreversible: string | null;
}

interface JournalEntry {
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

/** Paths inside a dialect's folder, shared by the folder on disk and the texts a binary carries. */
const JOURNAL_NAME = "meta/_journal.json";
const upName = (tag: string) => `${tag}.sql`;
const downName = (tag: string) => `${tag}.down.sql`;

export const journalPath = (folder: string) => join(folder, JOURNAL_NAME);
export const upPath = (folder: string, tag: string) => join(folder, upName(tag));
export const downPath = (folder: string, tag: string) => join(folder, downName(tag));
export const snapshotPath = (folder: string, index: number) =>
  join(folder, "meta", `${String(index).padStart(4, "0")}_snapshot.json`);

const NO_TRANSACTION = /^-- migrate:no-transaction\s*$/;
const IRREVERSIBLE = /^--\s*irreversible:\s*(\S.*)$/m;

/** Only comments and blank lines: nothing for the database to run. */
const isCommentOnly = (statement: string) =>
  statement.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));

export function splitStatements(sqlText: string): string[] {
  return sqlText
    .split(STATEMENT_BREAKPOINT)
    .map((statement) => statement.trim())
    .filter((statement) => !isCommentOnly(statement));
}

/** The file opts out of the transaction on its first line. */
export const runsOutsideTransaction = (sqlText: string | null) =>
  sqlText !== null && NO_TRANSACTION.test(sqlText.split("\n", 1)[0]?.trimEnd() ?? "");

/** `-- irreversible: <reason>` in a down file that has no statements; null otherwise. */
function irreversibleReason(downText: string | null): string | null {
  if (downText === null || splitStatements(downText).length > 0) return null;
  return downText.match(IRREVERSIBLE)?.[1]?.trim() ?? null;
}

export function joinStatements(statements: string[]): string {
  return statements.length === 0 ? "" : `${statements.join(`\n${STATEMENT_BREAKPOINT}\n`)}\n`;
}

/**
 * Where a dialect's migration files come from: a folder on disk (the CLI, tests, `npm start`) or
 * texts held in memory (the compiled binary, see embedded.ts). Names are relative to the folder.
 */
interface MigrationSource {
  /** The file's text, or null when it does not exist. */
  read(name: string): string | null;
  /** Where the file is, for error messages. */
  locate(name: string): string;
}

function folderSource(folder: string): MigrationSource {
  return {
    read: (name) => {
      const path = join(folder, name);
      return existsSync(path) ? readFileSync(path, "utf8") : null;
    },
    locate: (name) => join(folder, name),
  };
}

function textSource(texts: Readonly<Record<string, string>>, label: string): MigrationSource {
  return { read: (name) => texts[name] ?? null, locate: (name) => `${label}/${name}` };
}

function journalFrom(source: MigrationSource): Journal {
  const path = source.locate(JOURNAL_NAME);
  const text = source.read(JOURNAL_NAME);
  if (text === null) throw new Error(`No migration journal at ${path}`);
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
  } catch (error) {
    // A merge of two branches that both generated a migration leaves this, and rebase explains it.
    if (/^<{7} /m.test(text))
      throw new Error(`${path} holds git's conflict markers: run npm run db -- rebase`);
    throw new Error(`${path} is not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
  if (!Array.isArray(journal.entries)) throw new Error(`${path} has no "entries" list`);
  return journal;
}

function migrationsFrom(source: MigrationSource): MigrationFile[] {
  return journalFrom(source).entries.map((entry) => {
    const up = source.read(upName(entry.tag));
    const down = source.read(downName(entry.tag));
    return {
      index: entry.idx,
      tag: entry.tag,
      createdAt: entry.when,
      hash: up === null ? null : createHash("sha256").update(up).digest("hex"),
      statements: up === null ? null : splitStatements(up),
      downStatements: down === null ? null : splitStatements(down),
      noTransaction: { up: runsOutsideTransaction(up), down: runsOutsideTransaction(down) },
      irreversible: irreversibleReason(down),
    };
  });
}

export function readJournal(folder: string): Journal {
  return journalFrom(folderSource(folder));
}

/** The migrations in journal order, oldest first. */
export function readMigrations(folder: string): MigrationFile[] {
  return migrationsFrom(folderSource(folder));
}

/**
 * The same, from texts keyed by their path inside the folder (`meta/_journal.json`,
 * `<tag>.sql`, `<tag>.down.sql`); `label` names them in errors.
 */
export function migrationsFromTexts(
  texts: Readonly<Record<string, string>>,
  label: string,
): MigrationFile[] {
  return migrationsFrom(textSource(texts, label));
}

/** The SQL that moves through a migration in a direction: null when its file is missing. */
export function statementsFor(migration: MigrationFile, direction: "up" | "down"): string[] | null {
  return direction === "up" ? migration.statements : migration.downStatements;
}
