import type { Database } from "../client";
import { type AppliedMigration, readApplied, readAppliedSqlite } from "./bookkeeping";
import { MigrationFailedError, MigrationLockTimeoutError } from "./errors";
import { type MigrationFile, statementsFor } from "./files";
import type { Direction, Plan } from "./plan";

export interface RunOptions {
  /** How long to wait for another migrator's lock on PostgreSQL (default 15 s). */
  lockTimeoutMs?: number;
  /** Called before each migration runs. */
  onStep?: (migration: MigrationFile, direction: Direction) => void;
}

// Any fixed number: it names the advisory lock that serialises migration runs on PostgreSQL.
export const POSTGRES_MIGRATION_LOCK = 7_361_023_415;
const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

type PostgresDatabase = Extract<Database, { dialect: "postgres" }>;
type SqliteDatabase = Extract<Database, { dialect: "sqlite" }>;

export async function runPostgres(
  db: PostgresDatabase,
  prepare: (applied: AppliedMigration[]) => Plan,
  { lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS, onStep }: RunOptions,
): Promise<Plan> {
  // One connection for the whole run: the session lock lives and dies with it, so a killed
  // migrator leaves no lock behind.
  const connection = await db.sql.reserve();
  try {
    const deadline = Date.now() + lockTimeoutMs;
    for (;;) {
      const [row] =
        await connection`select pg_try_advisory_lock(${POSTGRES_MIGRATION_LOCK}) as locked`;
      if (row?.locked) break;
      if (Date.now() >= deadline) {
        throw new MigrationLockTimeoutError(
          `another migrator held the migration lock for ${lockTimeoutMs} ms; nothing was changed`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      // drizzle's own table; applied_at is ours, and drizzle-kit's inserts fill it by default.
      await connection`create schema if not exists drizzle`;
      await connection`create table if not exists drizzle.__drizzle_migrations (
        id serial primary key, hash text not null, created_at bigint)`;
      await connection`alter table drizzle.__drizzle_migrations
        add column if not exists applied_at timestamptz default now()`;
      const plan = prepare(await readApplied(db));
      for (const migration of plan.steps) {
        onStep?.(migration, plan.direction);
        const statements = statementsFor(migration, plan.direction) ?? [];
        await connection`begin`;
        try {
          for (const [index, statement] of statements.entries()) {
            await connection.unsafe(statement).catch((error: unknown) => {
              throw new MigrationFailedError(
                migration.tag,
                plan.direction,
                index + 1,
                statement,
                error,
              );
            });
          }
          if (plan.direction === "up") {
            await connection`insert into drizzle.__drizzle_migrations (hash, created_at)
              values (${migration.hash}, ${migration.createdAt})`;
          } else {
            await connection`delete from drizzle.__drizzle_migrations where created_at = ${migration.createdAt}`;
          }
          await connection`commit`;
        } catch (error) {
          await connection`rollback`;
          throw error;
        }
      }
      return plan;
    } finally {
      await connection`select pg_advisory_unlock(${POSTGRES_MIGRATION_LOCK})`;
    }
  } finally {
    connection.release();
  }
}

export async function runSqlite(
  db: SqliteDatabase,
  prepare: (applied: AppliedMigration[]) => Plan,
  { lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS, onStep }: RunOptions,
): Promise<Plan> {
  const { sqlite } = db;
  const busyTimeout =
    sqlite.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()?.timeout ?? 0;
  sqlite.exec(`PRAGMA busy_timeout = ${Math.round(lockTimeoutMs)}`);
  try {
    return runSqliteLocked(db, prepare, onStep);
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

function runSqliteLocked(
  db: SqliteDatabase,
  prepare: (applied: AppliedMigration[]) => Plan,
  onStep: RunOptions["onStep"],
): Plan {
  const { sqlite } = db;
  // drizzle's own table; applied_at is ours (SQLite cannot add a column with a clock default).
  sqlite.exec(
    "create table if not exists __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)",
  );
  const columns = sqlite
    .query<{ name: string }, []>("PRAGMA table_info(__drizzle_migrations)")
    .all();
  if (!columns.some((column) => column.name === "applied_at")) {
    sqlite.exec("alter table __drizzle_migrations add column applied_at integer");
  }
  const plan = prepare(readAppliedSqlite(sqlite));
  const ran: MigrationFile[] = [];
  const isRecorded = (migration: MigrationFile) =>
    sqlite
      .query("select 1 from __drizzle_migrations where created_at = ?")
      .get(migration.createdAt) !== null;
  for (const migration of plan.steps) {
    onStep?.(migration, plan.direction);
    const statements = statementsFor(migration, plan.direction) ?? [];
    // drizzle-kit's table rebuilds turn foreign keys off inside the transaction, where SQLite
    // ignores it: off outside, then checked before commit, keeps child rows of a rebuilt parent.
    sqlite.exec("PRAGMA foreign_keys = OFF");
    try {
      // IMMEDIATE takes the write lock at once (waiting up to the busy timeout), so a concurrent
      // migrator cannot slip in between the check below and the bookkeeping row.
      sqlite.exec("BEGIN IMMEDIATE");
      try {
        // Another process may have moved this migration since the plan was made.
        if (isRecorded(migration) !== (plan.direction === "down")) {
          sqlite.exec("ROLLBACK");
          continue;
        }
        for (const [index, statement] of statements.entries()) {
          try {
            sqlite.exec(statement);
          } catch (error) {
            throw new MigrationFailedError(
              migration.tag,
              plan.direction,
              index + 1,
              statement,
              error,
            );
          }
        }
        const violations = sqlite.query("PRAGMA foreign_key_check").all();
        if (violations.length > 0) {
          throw new MigrationFailedError(
            migration.tag,
            plan.direction,
            statements.length,
            "PRAGMA foreign_key_check",
            new Error(`${violations.length} rows would break a foreign key`),
          );
        }
        if (plan.direction === "up") {
          sqlite
            .query(
              "insert into __drizzle_migrations (hash, created_at, applied_at) values (?, ?, ?)",
            )
            .run(migration.hash, migration.createdAt, Date.now());
        } else {
          sqlite
            .query("delete from __drizzle_migrations where created_at = ?")
            .run(migration.createdAt);
        }
        sqlite.exec("COMMIT");
        ran.push(migration);
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
        throw error;
      }
    } finally {
      sqlite.exec("PRAGMA foreign_keys = ON");
    }
  }
  return { ...plan, steps: ran };
}
