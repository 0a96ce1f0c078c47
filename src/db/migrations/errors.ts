import type { Direction } from "./plan";

/** A migration's file does not match what was applied, or cannot run; found before any SQL ran. */
export class MigrationFileError extends Error {
  override name = "MigrationFileError";
}

/** Another migrator held the lock for longer than the timeout; nothing was changed. */
export class MigrationLockTimeoutError extends Error {
  override name = "MigrationLockTimeoutError";
}

/** A statement failed: that migration was rolled back, the ones before it stay applied. */
export class MigrationFailedError extends Error {
  override name = "MigrationFailedError";
  constructor(
    readonly tag: string,
    readonly direction: Direction,
    readonly statementNumber: number,
    readonly statement: string,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const excerpt = statement.replace(/\s+/g, " ").slice(0, 160);
    super(`${direction} ${tag} failed at statement ${statementNumber} (${excerpt}): ${reason}`);
  }
}
