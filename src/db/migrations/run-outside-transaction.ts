import { MigrationFailedError } from "./errors";
import type { FailureLog } from "./failures";
import type { MigrationFile } from "./files";
import type { Direction } from "./plan";

export interface OutsideTransactionRun {
  migration: MigrationFile;
  direction: Direction;
  statements: string[];
  /** Runs one statement on its own (autocommit), on the connection that holds the lock. */
  execute: (statement: string) => Promise<void>;
  /** Updates the incomplete mark, which the caller wrote before. */
  log: FailureLog;
  /** Writes the bookkeeping row and removes the incomplete mark, in one transaction. */
  finish: () => Promise<void>;
}

/**
 * A `-- migrate:no-transaction` migration: each statement commits on its own, as CREATE INDEX
 * CONCURRENTLY requires. The caller writes the incomplete mark first, so a failure or a killed
 * process leaves the migration visibly half-done instead of silently pending.
 */
export async function runOutsideTransaction(run: OutsideTransactionRun): Promise<void> {
  const { migration, direction, statements, log } = run;
  for (const [index, statement] of statements.entries()) {
    await log.progress(migration, index + 1, statement);
    try {
      await run.execute(statement);
    } catch (error) {
      const failed = new MigrationFailedError(
        migration.tag,
        direction,
        index + 1,
        statement,
        error,
        true,
      );
      await log.fail(migration, error instanceof Error ? error.message : String(error));
      throw failed;
    }
  }
  await run.finish();
}
