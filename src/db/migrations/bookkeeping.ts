import type { Database as BunSqlite } from "bun:sqlite";
import type { D1Database } from "@cloudflare/workers-types";
import type postgres from "postgres";
import type { AppDatabase } from "../client";
import type { MigrationFile } from "./files";

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

export async function readApplied(db: AppDatabase): Promise<AppliedMigration[]> {
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
  if ("d1" in db) return readAppliedD1(db.d1);
  return readAppliedSqlite(db.sqlite);
}

type AppliedRow = { hash: string; created_at: number | string; applied_at: number | null };

const appliedFrom = (row: AppliedRow): AppliedMigration => ({
  hash: row.hash,
  createdAt: Number(row.created_at),
  appliedAt: row.applied_at === null ? null : new Date(Number(row.applied_at)),
});

const appliedQuery = (columns: { name: string }[]) => {
  const appliedAt = columns.some((column) => column.name === "applied_at") ? "applied_at" : "null";
  return `select hash, created_at, ${appliedAt} as applied_at from __drizzle_migrations order by created_at`;
};

export function readAppliedSqlite(sqlite: BunSqlite): AppliedMigration[] {
  const columns = sqlite
    .query<{ name: string }, []>("PRAGMA table_info(__drizzle_migrations)")
    .all();
  if (columns.length === 0) return [];
  return sqlite.query<AppliedRow, []>(appliedQuery(columns)).all().map(appliedFrom);
}

/** The same on D1, whose queries are asynchronous. */
async function readAppliedD1(d1: D1Database): Promise<AppliedMigration[]> {
  const { results: columns } = await d1
    .prepare("PRAGMA table_info(__drizzle_migrations)")
    .all<{ name: string }>();
  if (columns.length === 0) return [];
  const { results } = await d1.prepare(appliedQuery(columns)).all<AppliedRow>();
  return results.map(appliedFrom);
}

export function stateOf(applied: AppliedMigration[], migrations: MigrationFile[]): MigrationState {
  const appliedAt = new Set(applied.map((row) => row.createdAt));
  const pending = migrations.filter((migration) => !appliedAt.has(migration.createdAt));
  const current = migrations.findLast((migration) => appliedAt.has(migration.createdAt));
  return { applied, pending, current: current?.tag ?? null };
}

export async function migrationState(
  db: AppDatabase,
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

type PostgresConnection = postgres.Sql | postgres.ReservedSql | postgres.TransactionSql;

/** drizzle's own table; applied_at is ours, and drizzle-kit's inserts fill it by default. */
export async function ensureBookkeepingPostgres(connection: PostgresConnection): Promise<void> {
  await connection`create schema if not exists drizzle`;
  await connection`create table if not exists drizzle.__drizzle_migrations (
    id serial primary key, hash text not null, created_at bigint)`;
  await connection`alter table drizzle.__drizzle_migrations
    add column if not exists applied_at timestamptz default now()`;
}

/** drizzle's own table; applied_at is ours (SQLite cannot add a column with a clock default). */
export function ensureBookkeepingSqlite(sqlite: BunSqlite): void {
  sqlite.exec(
    "create table if not exists __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)",
  );
  const columns = sqlite
    .query<{ name: string }, []>("PRAGMA table_info(__drizzle_migrations)")
    .all();
  if (!columns.some((column) => column.name === "applied_at")) {
    sqlite.exec("alter table __drizzle_migrations add column applied_at integer");
  }
}

function hashOf(migration: MigrationFile): string {
  if (migration.hash === null) throw new Error(`${migration.tag}.sql is missing`);
  return migration.hash;
}

/** Records a migration as applied (up) or removes its row (down). */
export async function recordPostgres(
  connection: PostgresConnection,
  direction: "up" | "down",
  migration: MigrationFile,
): Promise<void> {
  if (direction === "up") {
    await connection`insert into drizzle.__drizzle_migrations (hash, created_at)
      values (${hashOf(migration)}, ${migration.createdAt})`;
  } else {
    await connection`delete from drizzle.__drizzle_migrations where created_at = ${migration.createdAt}`;
  }
}

export function recordSqlite(
  sqlite: BunSqlite,
  direction: "up" | "down",
  migration: MigrationFile,
): void {
  if (direction === "up") {
    sqlite
      .query("insert into __drizzle_migrations (hash, created_at, applied_at) values (?, ?, ?)")
      .run(hashOf(migration), migration.createdAt, Date.now());
  } else {
    sqlite.query("delete from __drizzle_migrations where created_at = ?").run(migration.createdAt);
  }
}
