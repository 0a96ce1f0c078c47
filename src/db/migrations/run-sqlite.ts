import type { Database } from "../client";
import { ensureBookkeepingSqlite, readAppliedSqlite, recordSqlite } from "./bookkeeping";
import { MigrationFailedError, MigrationLockTimeoutError } from "./errors";
import {
  clearIncompleteSqlite,
  markIncompleteSqlite,
  readIncompleteSqlite,
  sqliteFailureLog,
} from "./failures";
import { type MigrationFile, statementsFor } from "./files";
import type { Direction, Plan } from "./plan";
import { runOutsideTransaction } from "./run-outside-transaction";
import { DEFAULT_LOCK_TIMEOUT_MS, type Prepare, type RunOptions } from "./run-postgres";

type SqliteDatabase = Extract<Database, { dialect: "sqlite" }>;

export async function runSqlite(
  db: SqliteDatabase,
  prepare: Prepare,
  { lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS, onStep }: RunOptions,
): Promise<Plan> {
  const { sqlite } = db;
  const busyTimeout =
    sqlite.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()?.timeout ?? 0;
  sqlite.exec(`PRAGMA busy_timeout = ${Math.round(lockTimeoutMs)}`);
  try {
    return await runSqliteLocked(db, prepare, onStep);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) {
      throw new MigrationLockTimeoutError(
        `another process held the SQLite write lock for ${lockTimeoutMs} ms; the waiting migration did not run`,
      );
    }
    throw error;
  } finally {
    sqlite.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
  }
}

/**
 * Runs `body` in an IMMEDIATE transaction, which takes the write lock at once (waiting up to the
 * busy timeout), unless another process moved the migration since the plan was made: then
 * nothing runs and it returns false.
 */
function inWriteTransaction(
  db: SqliteDatabase,
  migration: MigrationFile,
  direction: Direction,
  body: () => void,
): boolean {
  const { sqlite } = db;
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const recorded =
      sqlite
        .query("select 1 from __drizzle_migrations where created_at = ?")
        .get(migration.createdAt) !== null;
    const incomplete = readIncompleteSqlite(sqlite).some(
      (failure) => failure.createdAt === migration.createdAt,
    );
    if (recorded !== (direction === "down") || incomplete) {
      sqlite.exec("ROLLBACK");
      return false;
    }
    body();
    sqlite.exec("COMMIT");
    return true;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw error;
  }
}

function runInTransaction(
  db: SqliteDatabase,
  migration: MigrationFile,
  direction: Direction,
  statements: string[],
): boolean {
  const { sqlite } = db;
  // drizzle-kit's table rebuilds turn foreign keys off inside the transaction, where SQLite
  // ignores it: off outside, then checked before commit, keeps child rows of a rebuilt parent.
  sqlite.exec("PRAGMA foreign_keys = OFF");
  try {
    return inWriteTransaction(db, migration, direction, () => {
      for (const [index, statement] of statements.entries()) {
        try {
          sqlite.exec(statement);
        } catch (error) {
          throw new MigrationFailedError(migration.tag, direction, index + 1, statement, error);
        }
      }
      const violations = sqlite.query("PRAGMA foreign_key_check").all();
      if (violations.length > 0) {
        throw new MigrationFailedError(
          migration.tag,
          direction,
          statements.length,
          "PRAGMA foreign_key_check",
          new Error(`${violations.length} rows would break a foreign key`),
        );
      }
      recordSqlite(sqlite, direction, migration);
    });
  } finally {
    sqlite.exec("PRAGMA foreign_keys = ON");
  }
}

async function runSqliteLocked(
  db: SqliteDatabase,
  prepare: Prepare,
  onStep: RunOptions["onStep"],
): Promise<Plan> {
  const { sqlite } = db;
  ensureBookkeepingSqlite(sqlite);
  const plan = prepare(readAppliedSqlite(sqlite), readIncompleteSqlite(sqlite));
  const ran: MigrationFile[] = [];
  for (const migration of plan.steps) {
    onStep?.(migration, plan.direction);
    const statements = statementsFor(migration, plan.direction) ?? [];
    if (!migration.noTransaction[plan.direction]) {
      if (runInTransaction(db, migration, plan.direction, statements)) ran.push(migration);
      continue;
    }
    // SQLite has no lock that outlives a transaction: the incomplete mark, written under the
    // write lock after checking no other migrator got here first, keeps others out instead.
    const claimed = inWriteTransaction(db, migration, plan.direction, () =>
      markIncompleteSqlite(sqlite, migration, plan.direction, statements.length),
    );
    if (!claimed) continue;
    await runOutsideTransaction({
      migration,
      direction: plan.direction,
      statements,
      execute: async (statement) => void sqlite.exec(statement),
      log: sqliteFailureLog(sqlite),
      finish: async () => {
        sqlite.exec("BEGIN IMMEDIATE");
        try {
          recordSqlite(sqlite, plan.direction, migration);
          clearIncompleteSqlite(sqlite, migration.createdAt);
          sqlite.exec("COMMIT");
        } catch (error) {
          if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
          throw error;
        }
      },
    });
    ran.push(migration);
  }
  return { ...plan, steps: ran };
}
