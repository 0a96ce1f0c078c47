import type postgres from "postgres";
import type { Database } from "../client";
import {
  type AppliedMigration,
  ensureBookkeepingPostgres,
  readApplied,
  recordPostgres,
} from "./bookkeeping";
import { MigrationFailedError, MigrationLockTimeoutError } from "./errors";
import {
  clearIncompletePostgres,
  type IncompleteMigration,
  markIncompletePostgres,
  postgresFailureLog,
  readIncomplete,
} from "./failures";
import { type MigrationFile, statementsFor } from "./files";
import type { Direction, Plan } from "./plan";
import { runOutsideTransaction } from "./run-outside-transaction";

export interface RunOptions {
  /** How long to wait for another migrator's lock on PostgreSQL (default 15 s). */
  lockTimeoutMs?: number;
  /** Called before each migration runs. */
  onStep?: (migration: MigrationFile, direction: Direction) => void;
}

/** Makes the plan from what the database records, under the lock, before any SQL runs. */
export type Prepare = (applied: AppliedMigration[], incomplete: IncompleteMigration[]) => Plan;

// Any fixed number: it names the advisory lock that serialises migration runs on PostgreSQL.
export const POSTGRES_MIGRATION_LOCK = 7_361_023_415;
export const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

type PostgresDatabase = Extract<Database, { dialect: "postgres" }>;

/** Takes the migration lock on a connection of its own, waiting at most `lockTimeoutMs`. */
export async function withPostgresLock<T>(
  db: PostgresDatabase,
  lockTimeoutMs: number,
  body: (connection: postgres.ReservedSql) => Promise<T>,
): Promise<T> {
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
      return await body(connection);
    } finally {
      await connection`select pg_advisory_unlock(${POSTGRES_MIGRATION_LOCK})`;
    }
  } finally {
    connection.release();
  }
}

async function runInTransaction(
  connection: postgres.ReservedSql,
  migration: MigrationFile,
  direction: Direction,
  statements: string[],
): Promise<void> {
  await connection`begin`;
  try {
    for (const [index, statement] of statements.entries()) {
      await connection.unsafe(statement).catch((error: unknown) => {
        throw new MigrationFailedError(migration.tag, direction, index + 1, statement, error);
      });
    }
    await recordPostgres(connection, direction, migration);
    await connection`commit`;
  } catch (error) {
    await connection`rollback`;
    throw error;
  }
}

export async function runPostgres(
  db: PostgresDatabase,
  prepare: Prepare,
  { lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS, onStep }: RunOptions,
): Promise<Plan> {
  return withPostgresLock(db, lockTimeoutMs, async (connection) => {
    await ensureBookkeepingPostgres(connection);
    const plan = prepare(await readApplied(db), await readIncomplete(db));
    for (const migration of plan.steps) {
      onStep?.(migration, plan.direction);
      const statements = statementsFor(migration, plan.direction) ?? [];
      if (!migration.noTransaction[plan.direction]) {
        await runInTransaction(connection, migration, plan.direction, statements);
        continue;
      }
      await markIncompletePostgres(connection, migration, plan.direction, statements.length);
      await runOutsideTransaction({
        migration,
        direction: plan.direction,
        statements,
        execute: async (statement) => void (await connection.unsafe(statement)),
        log: postgresFailureLog(connection),
        finish: async () => {
          await connection`begin`;
          try {
            await recordPostgres(connection, plan.direction, migration);
            await clearIncompletePostgres(connection, migration.createdAt);
            await connection`commit`;
          } catch (error) {
            await connection`rollback`;
            throw error;
          }
        },
      });
    }
    return plan;
  });
}
