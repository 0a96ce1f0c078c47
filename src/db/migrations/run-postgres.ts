import type postgres from "postgres";
import type { Database } from "../client";
import {
  type AppliedMigration,
  ensureBookkeepingPostgres,
  readApplied,
  recordPostgres,
} from "./bookkeeping";
import { MigrationFailedError, MigrationLockLostError, MigrationLockTimeoutError } from "./errors";
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

/**
 * Runs `body` on a connection of its own while another connection holds the migration lock,
 * waiting at most `lockTimeoutMs` for another migrator's.
 *
 * The lock is transaction-scoped (pg_try_advisory_xact_lock), held by a transaction that stays open
 * on a second connection for the whole run: it lives exactly as long as that transaction, on that
 * one server connection, so that a transaction pooler (pgbouncer pool_mode=transaction), which
 * keeps a client on one server connection only while a transaction is open, can neither move it
 * to another client nor leave it behind. A session lock through such a pooler is taken on one
 * server connection and released on another, and stays held. A killed migrator's transaction ends
 * with its connection: no lock is left behind either way.
 */
export async function withPostgresLock<T>(
  db: PostgresDatabase,
  lockTimeoutMs: number,
  body: (connection: postgres.ReservedSql, lock: HeldLock) => Promise<T>,
): Promise<T> {
  const holder = await db.sql.reserve();
  try {
    await simple(holder, "begin");
    try {
      // The lock's transaction idles while the migrations run elsewhere: not a reason to end it.
      await simple(holder, "set local idle_in_transaction_session_timeout = 0");
      await takeLock(holder, lockTimeoutMs);
      const connection = await db.sql.reserve();
      try {
        return await body(connection, { verify: () => verifyHeld(holder) });
      } finally {
        connection.release();
      }
    } finally {
      // Ends the transaction, and with it the lock; it wrote nothing.
      await simple(holder, "rollback").catch(() => {});
    }
  } finally {
    holder.release();
  }
}

/** The migration lock, held by another connection than the one migrations run on. */
export interface HeldLock {
  /** Fails when the connection holding the lock was lost, and with it the lock. */
  verify(): Promise<void>;
}

/**
 * Every statement of the lock's transaction goes by the simple protocol. An extended-protocol
 * query leaves its unnamed portal open until the transaction ends, and with it a snapshot that
 * CREATE INDEX CONCURRENTLY on the migrations' connection would wait for until its lock timeout.
 */
function simple(holder: postgres.ReservedSql, statement: string) {
  return holder.unsafe(statement).simple();
}

async function takeLock(holder: postgres.ReservedSql, lockTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    const [row] = await simple(
      holder,
      `select pg_try_advisory_xact_lock(${POSTGRES_MIGRATION_LOCK}) as locked`,
    );
    if (row?.locked) return;
    if (Date.now() >= deadline) {
      throw new MigrationLockTimeoutError(
        `another migrator held the migration lock for ${lockTimeoutMs} ms; nothing was changed`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function verifyHeld(holder: postgres.ReservedSql): Promise<void> {
  try {
    await simple(holder, "select 1");
  } catch (error) {
    throw new MigrationLockLostError(
      `the connection holding the migration lock was lost (${error instanceof Error ? error.message : error}); stopped before the next migration`,
    );
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
  return withPostgresLock(db, lockTimeoutMs, async (connection, lock) => {
    await ensureBookkeepingPostgres(connection);
    const plan = prepare(await readApplied(db), await readIncomplete(db));
    for (const migration of plan.steps) {
      await lock.verify();
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
