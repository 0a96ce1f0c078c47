/** Why `db rebase` refuses, each with what to do instead. Nothing is written when it does. */
import { basename } from "node:path";
import type { Dialect } from "../../config";
import { assertUnreachable } from "../../lib/assert";
import type { FolderMigration } from "./branches";
import { snapshotPath } from "./files";
import { ambiguities, type Rename, type Snapshot } from "./snapshots";

export class RebaseError extends Error {
  override name = "RebaseError";
}

const UNCHANGED = "Nothing was changed.";
const nameOf = (tag: string) => tag.replace(/^\d+_/, "");

export function severalToMove(dialect: Dialect, laters: FolderMigration[]): RebaseError {
  const tags = laters.map((migration) => migration.tag).join(", ");
  return new RebaseError(
    `${dialect}: ${tags} would all have to move, and rebase regenerates one migration from ` +
      "src/db/schema.ts, which holds the changes of all of them at once. Combine them by hand: " +
      "delete their .sql and .down.sql files, journal entries and snapshots in both drizzle " +
      `folders, then run npm run db -- generate --name NAME. ${UNCHANGED}`,
  );
}

export function applied(dialect: Dialect, later: FolderMigration, database: string): RebaseError {
  return new RebaseError(
    `${dialect}: ${later.tag} is applied in the configured database (${database}); rebase would ` +
      "give it a new number and timestamp that database does not know. Undo it there first: on " +
      "the branch that made it, run npm run db -- down -1 with this DATABASE_URL, or point " +
      `DATABASE_URL at a fresh database. ${UNCHANGED}`,
  );
}

export function followed(dialect: Dialect, later: FolderMigration, newer: string): RebaseError {
  return new RebaseError(
    `${dialect}: ${newer} is newer than ${later.tag}, which rebase would have to move under it. ` +
      `Delete ${newer} (its files, journal entry and snapshot), run rebase, then generate it ` +
      `again. ${UNCHANGED}`,
  );
}

/** The guidance generate gives when drizzle-kit would ask "created or renamed?". */
export function ambiguous(
  dialect: Dialect,
  later: FolderMigration,
  onTopOf: string,
  questions: string[],
): RebaseError {
  return new RebaseError(
    `${dialect}: regenerating ${later.tag} on top of ${onTopOf}, drizzle-kit would ask whether ` +
      `these are renames: ${questions.join("; ")}. rebase does not guess. Delete ${later.tag}'s ` +
      ".sql and .down.sql (and its journal entry and snapshot, if it has them) in both drizzle " +
      `folders, then run npm run db -- generate --name ${nameOf(later.tag)} with --rename ` +
      "table.old_column=new_column or --rename old_table=new_table for each rename, or " +
      `--no-rename to drop and create. ${UNCHANGED}`,
  );
}

export function sharedSnapshotUnknown(
  dialect: Dialect,
  folder: string,
  idx: number,
  earlier: FolderMigration,
  later: FolderMigration,
): RebaseError {
  const path = `drizzle/${basename(folder)}/meta/${basename(snapshotPath(folder, idx))}`;
  return new RebaseError(
    `${dialect}: ${path} is ${later.tag}'s, not ${earlier.tag}'s (the merge kept the later ` +
      "branch's), and src/db/schema.ts holds more than the two migrations, so it cannot be " +
      `rebuilt. Restore ${earlier.tag}'s from its branch (git checkout BRANCH -- ${path}), ` +
      `then run rebase again. ${UNCHANGED}`,
  );
}

/**
 * What drizzle-kit would still ask about once the renames the old migration performs are
 * applied: `ambiguities` reads only table names and column keys, so only those are renamed.
 */
export function questionsAfterRenames(
  previous: Snapshot,
  current: Snapshot,
  renames: Rename[],
): string[] {
  const renamed = structuredClone(previous);
  for (const rename of renames) {
    const tableName = rename.kind === "table" ? rename.from : rename.table;
    const table = Object.values(renamed.tables).find((candidate) => candidate.name === tableName);
    if (table === undefined) continue;
    switch (rename.kind) {
      case "table":
        table.name = rename.to;
        break;
      case "column": {
        const column = table.columns[rename.from];
        if (column === undefined) break;
        delete table.columns[rename.from];
        table.columns[rename.to] = { ...column, name: rename.to };
        break;
      }
      default:
        assertUnreachable(rename);
    }
  }
  return ambiguities(renamed, current);
}
