import type { Database } from "../client";
import type { MigrationFile } from "./files";
import { type Direction, type Plan, planMove, type Target } from "./plan";

/** A row of drizzle's bookkeeping table. */
export interface AppliedMigration {
  hash: string;
  createdAt: number;
  /** When our tool applied it; null for rows written by drizzle-kit on SQLite. */
  appliedAt: Date | null;
}

export interface MigrationState {
  applied: AppliedMigration[];
  /** In the journal and not recorded as applied, oldest first. */
  pending: MigrationFile[];
  /** Tag of the newest journal migration that is applied, or null when none is (base). */
  current: string | null;
}

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

export interface RunOptions {
  /** How long to wait for another migrator's lock on PostgreSQL (default 15 s). */
  lockTimeoutMs?: number;
  /** Called before each migration runs. */
  onStep?: (migration: MigrationFile, direction: Direction) => void;
}

// Any fixed number: it names the advisory lock that serialises migration runs on PostgreSQL.
const POSTGRES_MIGRATION_LOCK = 7_361_023_415;
const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

export async function readApplied(db: Database): Promise<AppliedMigration[]> {
  if (db.dialect === "postgres") {
    const exists = await db.sql`select to_regclass('drizzle.__drizzle_migrations') as name`;
    if (exists[0]?.name == null) return [];
    const hasAppliedAt = await db.sql`select 1 from information_schema.columns
      where table_schema = 'drizzle' and table_name = '__drizzle_migrations' and column_name = 'applied_at'`;
    // Epoch milliseconds, because drizzle turns off postgres.js's own date parsing on this client.
    const appliedAt = hasAppliedAt.length
      ? db.sql`(extract(epoch from applied_at) * 1000)::float8`
      : db.sql`null::float8`;
    const rows = await db.sql<{ hash: string; created_at: string; applied_at: number | null }[]>`
      select hash, created_at, ${appliedAt} as applied_at
      from drizzle.__drizzle_migrations order by created_at`;
    return rows.map((row) => ({
      hash: row.hash,
      createdAt: Number(row.created_at),
      appliedAt: row.applied_at === null ? null : new Date(row.applied_at),
    }));
  }
  return readAppliedSqlite(db.sqlite);
}

function readAppliedSqlite(sqlite: SqliteDatabase["sqlite"]): AppliedMigration[] {
  const columns = sqlite
    .query<{ name: string }, []>("PRAGMA table_info(__drizzle_migrations)")
    .all();
  if (columns.length === 0) return [];
  const appliedAt = columns.some((column) => column.name === "applied_at") ? "applied_at" : "null";
  const rows = sqlite
    .query<{ hash: string; created_at: number | string; applied_at: number | null }, []>(
      `select hash, created_at, ${appliedAt} as applied_at from __drizzle_migrations order by created_at`,
    )
    .all();
  return rows.map((row) => ({
    hash: row.hash,
    createdAt: Number(row.created_at),
    appliedAt: row.applied_at === null ? null : new Date(Number(row.applied_at)),
  }));
}

export function stateOf(applied: AppliedMigration[], migrations: MigrationFile[]): MigrationState {
  const appliedAt = new Set(applied.map((row) => row.createdAt));
  const pending = migrations.filter((migration) => !appliedAt.has(migration.createdAt));
  const current = migrations.findLast((migration) => appliedAt.has(migration.createdAt));
  return { applied, pending, current: current?.tag ?? null };
}

export async function migrationState(
  db: Database,
  migrations: MigrationFile[],
): Promise<MigrationState> {
  return stateOf(await readApplied(db), migrations);
}

/**
 * What no migration may start with: an applied migration whose file was edited or deleted.
 * Each problem names the file.
 */
export function tamperingProblems(
  applied: AppliedMigration[],
  migrations: MigrationFile[],
): string[] {
  const byCreatedAt = new Map(migrations.map((migration) => [migration.createdAt, migration]));
  return applied.flatMap((row) => {
    const migration = byCreatedAt.get(row.createdAt);
    if (migration === undefined) {
      return [
        `an applied migration (created_at ${row.createdAt}) is not in the journal: was it deleted?`,
      ];
    }
    if (migration.hash === null) return [`${migration.tag}.sql is applied but the file is missing`];
    if (migration.hash !== row.hash)
      return [`${migration.tag}.sql was edited after it was applied`];
    return [];
  });
}

function assertRunnable(plan: Plan): void {
  for (const migration of plan.steps) {
    const statements = plan.direction === "up" ? migration.statements : migration.downStatements;
    if (statements === null) {
      const file = plan.direction === "up" ? `${migration.tag}.sql` : `${migration.tag}.down.sql`;
      throw new MigrationFileError(
        `${file} is missing: cannot go ${plan.direction} through ${migration.tag}`,
      );
    }
  }
}

/**
 * Plans under the lock and verifies the files before any SQL runs, then runs each migration in
 * its own transaction together with its bookkeeping row.
 */
export async function moveTo(
  db: Database,
  migrations: MigrationFile[],
  direction: Direction,
  target: Target,
  options: RunOptions = {},
): Promise<Plan> {
  const prepare = (applied: AppliedMigration[]) => {
    const problems = tamperingProblems(applied, migrations);
    if (problems.length > 0) throw new MigrationFileError(problems.join("; "));
    const appliedAt = new Set(applied.map((row) => row.createdAt));
    const plan = planMove(direction, target, migrations, (migration) =>
      appliedAt.has(migration.createdAt),
    );
    assertRunnable(plan);
    return plan;
  };
  return db.dialect === "postgres"
    ? runPostgres(db, prepare, options)
    : runSqlite(db, prepare, options);
}

/** Applies every pending migration: what start-up and `db:migrate` do. */
export async function migrateUp(
  db: Database,
  migrations: MigrationFile[],
  options: RunOptions = {},
): Promise<string[]> {
  const plan = await moveTo(db, migrations, "up", { kind: "head" }, options);
  return plan.steps.map((migration) => migration.tag);
}

type PostgresDatabase = Extract<Database, { dialect: "postgres" }>;
type SqliteDatabase = Extract<Database, { dialect: "sqlite" }>;

async function runPostgres(
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
        const statements =
          (plan.direction === "up" ? migration.statements : migration.downStatements) ?? [];
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

async function runSqlite(
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
    const statements =
      (plan.direction === "up" ? migration.statements : migration.downStatements) ?? [];
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
