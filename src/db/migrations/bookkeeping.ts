import type { Database as BunSqlite } from "bun:sqlite";
import type { D1Database } from "@cloudflare/workers-types";
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
