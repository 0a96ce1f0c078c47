import { MigrationFileError } from "./errors";
import type { MigrationFile } from "./files";

// drizzle's bookkeeping table as runners.ts leaves it on SQLite, applied_at included.
const BOOKKEEPING_TABLE =
  "create table if not exists __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric, applied_at integer)";

/**
 * A Worker never migrates at request time, and our engine cannot reach a D1 database from
 * outside. These are the statements that take a D1 database up through one migration, its
 * bookkeeping row included (so that /ready sees it applied): run them as one D1 batch, which is
 * one transaction, or as one file (`npm run build:worker` writes dist/d1-migrations/<tag>.sql).
 */
export function d1UpStatements(migration: MigrationFile): string[] {
  if (migration.statements === null || migration.hash === null) {
    throw new MigrationFileError(`${migration.tag}.sql is missing: cannot go up through it`);
  }
  // The hash is hex and created_at a number: nothing to escape.
  return [
    BOOKKEEPING_TABLE,
    ...migration.statements,
    `insert into __drizzle_migrations (hash, created_at, applied_at) values ('${migration.hash}', ${migration.createdAt}, cast(unixepoch('subsec') * 1000 as integer))`,
  ];
}
