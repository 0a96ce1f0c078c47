import type { Database } from "../client";
import type { MigrationFile } from "./files";

/** A row of drizzle's bookkeeping table. */
export interface AppliedMigration {
  hash: string;
  createdAt: number;
}

export interface MigrationState {
  applied: AppliedMigration[];
  /** In the journal and not recorded as applied, oldest first. */
  pending: MigrationFile[];
  /** Tag of the newest journal migration that is applied, or null when none is. */
  current: string | null;
}

// Any fixed number: it names the advisory lock that serialises migration runs on PostgreSQL.
const POSTGRES_MIGRATION_LOCK = 7_361_023_415;

export async function readApplied(db: Database): Promise<AppliedMigration[]> {
  if (db.dialect === "postgres") {
    const exists = await db.sql`select to_regclass('drizzle.__drizzle_migrations') as name`;
    if (exists[0]?.name == null) return [];
    const rows = await db.sql<{ hash: string; created_at: string }[]>`
      select hash, created_at from drizzle.__drizzle_migrations order by created_at`;
    return rows.map((row) => ({ hash: row.hash, createdAt: Number(row.created_at) }));
  }
  const exists = db.sqlite
    .query("select name from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  if (exists === null) return [];
  const rows = db.sqlite
    .query<{ hash: string; created_at: number | string }, []>(
      "select hash, created_at from __drizzle_migrations order by created_at",
    )
    .all();
  return rows.map((row) => ({ hash: row.hash, createdAt: Number(row.created_at) }));
}

export async function migrationState(
  db: Database,
  migrations: MigrationFile[],
): Promise<MigrationState> {
  const applied = await readApplied(db);
  const appliedAt = new Set(applied.map((row) => row.createdAt));
  const pending = migrations.filter((migration) => !appliedAt.has(migration.createdAt));
  const current = migrations.findLast((migration) => appliedAt.has(migration.createdAt));
  return { applied, pending, current: current?.tag ?? null };
}

/**
 * Applies every pending migration, each in its own transaction together with its bookkeeping row,
 * so that a failure leaves the database at the last migration that succeeded. Concurrent runs are
 * serialised (an advisory lock on PostgreSQL, a write lock on SQLite) and each re-checks under the
 * lock, so two processes starting at once apply every migration exactly once.
 */
export async function migrateUp(db: Database, migrations: MigrationFile[]): Promise<string[]> {
  const appliedTags: string[] = [];
  for (const migration of migrations) {
    const ran =
      db.dialect === "postgres" ? await applyPostgres(db, migration) : applySqlite(db, migration);
    if (ran) appliedTags.push(migration.tag);
  }
  return appliedTags;
}

async function applyPostgres(
  db: Extract<Database, { dialect: "postgres" }>,
  migration: MigrationFile,
): Promise<boolean> {
  return db.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${POSTGRES_MIGRATION_LOCK})`;
    await tx`create schema if not exists drizzle`;
    await tx`create table if not exists drizzle.__drizzle_migrations (
      id serial primary key, hash text not null, created_at bigint)`;
    const recorded = await tx`
      select 1 from drizzle.__drizzle_migrations where created_at = ${migration.createdAt}`;
    if (recorded.length > 0) return false;
    for (const statement of migration.statements) await tx.unsafe(statement);
    await tx`insert into drizzle.__drizzle_migrations (hash, created_at)
      values (${migration.hash}, ${migration.createdAt})`;
    return true;
  });
}

function applySqlite(
  db: Extract<Database, { dialect: "sqlite" }>,
  migration: MigrationFile,
): boolean {
  const { sqlite } = db;
  // drizzle-kit's table rebuilds turn foreign keys off inside the transaction, where SQLite
  // ignores it; off outside, then checked before commit, keeps child rows of a rebuilt parent.
  sqlite.exec("PRAGMA foreign_keys = OFF");
  try {
    sqlite.exec("BEGIN IMMEDIATE");
    try {
      sqlite.exec(`create table if not exists __drizzle_migrations (
        id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
      const recorded = sqlite
        .query("select 1 from __drizzle_migrations where created_at = ?")
        .get(migration.createdAt);
      if (recorded !== null) {
        sqlite.exec("ROLLBACK");
        return false;
      }
      for (const statement of migration.statements) sqlite.exec(statement);
      const violations = sqlite.query("PRAGMA foreign_key_check").all();
      if (violations.length > 0) {
        throw new Error(
          `Migration ${migration.tag} leaves ${violations.length} rows that break a foreign key`,
        );
      }
      sqlite
        .query("insert into __drizzle_migrations (hash, created_at) values (?, ?)")
        .run(migration.hash, migration.createdAt);
      sqlite.exec("COMMIT");
      return true;
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
      throw error;
    }
  } finally {
    sqlite.exec("PRAGMA foreign_keys = ON");
  }
}
