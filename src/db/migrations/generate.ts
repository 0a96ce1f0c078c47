/**
 * `db generate`: drizzle-kit generate per dialect, then a `<tag>.down.sql` beside every migration
 * that lacks one, diffed from its snapshot back to the one before.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dialect } from "../../config";
import * as schema from "../schema";
import {
  downPath,
  type Journal,
  joinStatements,
  journalPath,
  migrationsFolder,
  readJournal,
  snapshotPath,
  splitStatements,
  upPath,
} from "./files";
import { invertRenames, renamesIn } from "./renames";
import {
  ambiguities,
  diffSnapshots,
  emptySnapshot,
  type Rename,
  readSnapshot,
  type Snapshot,
  snapshotOf,
} from "./snapshots";

export interface GenerateOptions {
  name?: string;
  /** Stated renames; other drop-and-create pairs are then drops and creates. */
  renames: Rename[];
  /** Treat every drop-and-create pair as a drop and a create, without asking. */
  noRename: boolean;
  /** An empty pair of files for hand-written SQL; the snapshot does not change. */
  custom?: boolean;
  /** stdin and stdout are a terminal, so drizzle-kit may ask its questions. */
  interactive: boolean;
  log: (line: string) => void;
}

/** The migration could not be generated; nothing was written for the dialect named. */
class GenerateError extends Error {
  override name = "GenerateError";
}

const DIALECTS: readonly Dialect[] = ["postgres", "sqlite"];
const PROJECT_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const DRIZZLE_KIT = join(PROJECT_ROOT, "node_modules", ".bin", "drizzle-kit");
const WROTE = "Your SQL migration file";
const NOTHING_TO_DO = "No schema changes, nothing to migrate";
const JOURNAL_ENTRY_VERSION: Record<Dialect, string> = { postgres: "7", sqlite: "6" };

export async function snapshotBefore(
  dialect: Dialect,
  folder: string,
  position: number,
  journal: Journal,
) {
  const previous = journal.entries[position - 1];
  return previous === undefined ? emptySnapshot(dialect) : readSnapshot(folder, previous.idx);
}

async function runDrizzleKit(dialect: Dialect, options: GenerateOptions): Promise<void> {
  const args = [DRIZZLE_KIT, "generate", ...(options.name ? ["--name", options.name] : [])];
  const child = Bun.spawn(args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DRIZZLE_DIALECT: dialect },
    stdin: options.interactive ? "inherit" : "ignore",
    stdout: options.interactive ? "inherit" : "pipe",
    stderr: "inherit",
  });
  const output = child.stdout ? await new Response(child.stdout).text() : "";
  if (output) options.log(output.trimEnd());
  const exitCode = await child.exited;
  if (exitCode !== 0)
    throw new GenerateError(`drizzle-kit generate failed for ${dialect} (exit ${exitCode})`);
  // Without a terminal drizzle-kit exits 0 even when it gave up on a question and wrote nothing.
  if (!options.interactive && !output.includes(WROTE) && !output.includes(NOTHING_TO_DO)) {
    throw new GenerateError(
      `drizzle-kit generate wrote nothing for ${dialect}; see its output above`,
    );
  }
}

/** Writes a migration the way drizzle-kit does: SQL, snapshot and journal entry. */
export function writeMigration(
  dialect: Dialect,
  folder: string,
  journal: Journal,
  name: string,
  statements: string[],
  snapshot: Snapshot,
): string {
  const index = (journal.entries.at(-1)?.idx ?? -1) + 1;
  const tag = `${String(index).padStart(4, "0")}_${name.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
  writeFileSync(upPath(folder, tag), joinStatements(statements));
  writeFileSync(snapshotPath(folder, index), `${JSON.stringify(snapshot, null, 2)}\n`);
  journal.entries.push({
    idx: index,
    version: JOURNAL_ENTRY_VERSION[dialect],
    when: Date.now(),
    tag,
    breakpoints: true,
  });
  writeFileSync(journalPath(folder), `${JSON.stringify(journal, null, 2)}\n`);
  return tag;
}

// Not the breakpoint marker itself: even inside a comment it would split the file.
const CUSTOM_UP = `-- Hand-written migration. Separate statements with the breakpoint line drizzle-kit
-- writes between its own (see the other .sql files). To run it outside a transaction
-- (CREATE INDEX CONCURRENTLY), make the first line "-- migrate:no-transaction".
`;
const customDown = (
  tag: string,
) => `-- The SQL that undoes ${tag}.sql. If nothing can, replace this comment with
-- "-- irreversible: <reason>": db check refuses an empty down file otherwise.
`;

/** A migration pair for hand-written SQL: the snapshot is the previous one under a new id. */
function writeCustomMigration(
  dialect: Dialect,
  folder: string,
  journal: Journal,
  name: string,
  previous: Snapshot,
): string {
  const snapshot = { ...previous, id: crypto.randomUUID(), prevId: previous.id };
  const tag = writeMigration(dialect, folder, journal, name, [], snapshot);
  writeFileSync(upPath(folder, tag), CUSTOM_UP);
  writeFileSync(downPath(folder, tag), customDown(tag));
  return tag;
}

async function generateForward(
  dialect: Dialect,
  folder: string,
  options: GenerateOptions,
): Promise<string | null> {
  const journal = readJournal(folder);
  const previous = await snapshotBefore(dialect, folder, journal.entries.length, journal);
  if (options.custom) {
    const tag = writeCustomMigration(dialect, folder, journal, options.name ?? "custom", previous);
    options.log(`${dialect}: wrote ${tag}.sql and ${tag}.down.sql for hand-written SQL`);
    return tag;
  }
  const current = await snapshotOf(dialect, schema, previous.id);
  if (options.renames.length > 0 || options.noRename) {
    const statements = await diffSnapshots(dialect, previous, current, options.renames);
    if (statements.length === 0) {
      options.log(`${dialect}: no schema changes`);
      return null;
    }
    const tag = writeMigration(
      dialect,
      folder,
      journal,
      options.name ?? "migration",
      statements,
      current,
    );
    options.log(`${dialect}: wrote ${tag}.sql`);
    return tag;
  }
  const questions = ambiguities(previous, current);
  if (questions.length > 0 && !options.interactive) {
    throw new GenerateError(
      `${dialect}: drizzle-kit would ask whether these are renames, and there is no terminal to ask in: ` +
        `${questions.join("; ")}. Pass --rename table.old_column=new_column or --rename old_table=new_table ` +
        "for each rename, or --no-rename to drop and create.",
    );
  }
  await runDrizzleKit(dialect, options);
  const written = readJournal(folder).entries.at(-1);
  return written !== undefined && written.idx >= journal.entries.length ? written.tag : null;
}

/** Writes the down file of every migration that has none; returns their paths. */
export async function writeMissingDownFiles(dialect: Dialect, folder: string): Promise<string[]> {
  const journal = readJournal(folder);
  const written: string[] = [];
  for (const [position, entry] of journal.entries.entries()) {
    const path = downPath(folder, entry.tag);
    if (existsSync(path)) continue;
    const before = await snapshotBefore(dialect, folder, position, journal);
    const after = readSnapshot(folder, entry.idx);
    const up = splitStatements(readFileSync(upPath(folder, entry.tag), "utf8"));
    const statements = await diffSnapshots(dialect, after, before, invertRenames(renamesIn(up)));
    writeFileSync(path, joinStatements(statements));
    written.push(path);
  }
  return written;
}

/** A migration generate wrote: its dialect, tag and the paths of its up and down files. */
export interface WrittenMigration {
  dialect: Dialect;
  tag: string;
  up: string;
  down: string;
}

export async function generateMigrations(options: GenerateOptions): Promise<WrittenMigration[]> {
  const written: WrittenMigration[] = [];
  for (const dialect of DIALECTS) {
    const folder = migrationsFolder(dialect);
    options.log(`--- ${dialect}`);
    const tag = await generateForward(dialect, folder, options);
    for (const path of await writeMissingDownFiles(dialect, folder))
      options.log(`${dialect}: wrote ${relative(process.cwd(), path)}`);
    if (tag !== null)
      written.push({ dialect, tag, up: upPath(folder, tag), down: downPath(folder, tag) });
  }
  return written;
}
