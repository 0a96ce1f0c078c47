import type { Direction } from "./plan";

/** A migration's file does not match what was applied, or cannot run; found before any SQL ran. */
export class MigrationFileError extends Error {
  override name = "MigrationFileError";
}

/** Another migrator held the lock for longer than the timeout; nothing was changed. */
export class MigrationLockTimeoutError extends Error {
  override name = "MigrationLockTimeoutError";
}

/** The connection that held the migration lock was lost; the migrations before stay applied. */
export class MigrationLockLostError extends Error {
  override name = "MigrationLockLostError";
}

/**
 * A statement failed. In a transaction, that migration was rolled back and the ones before it
 * stay applied; outside one, the statements before it took effect and the migration is recorded
 * as incomplete until `db resolve`.
 */
export class MigrationFailedError extends Error {
  override name = "MigrationFailedError";
  constructor(
    readonly tag: string,
    readonly direction: Direction,
    readonly statementNumber: number,
    readonly statement: string,
    override readonly cause: unknown,
    readonly outsideTransaction = false,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const excerpt = statement.replace(/\s+/g, " ").slice(0, 160);
    const partial = outsideTransaction
      ? `. It ran outside a transaction: statements before ${statementNumber} took effect. ` +
        `Finish or undo it by hand, then \`npm run db -- resolve ${tag} --applied\` or \`--rolled-back\``
      : "";
    super(
      `${direction} ${tag} failed at statement ${statementNumber} (${excerpt}): ${reason}${partial}`,
    );
  }
}

/** A migration that ran outside a transaction did not finish; nothing moves until it is resolved. */
export class IncompleteMigrationError extends Error {
  override name = "IncompleteMigrationError";
}
