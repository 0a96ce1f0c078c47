/**
 * Repair and adoption: `db resolve` records the outcome of a migration someone finished or undid
 * by hand, `db baseline` records migrations a database already holds, `db reset` starts over.
 * None of them runs a migration's SQL.
 */
import { Database as BunSqlite } from "bun:sqlite";
import postgres from "postgres";
import type { Database } from "../client";
import {
  ensureBookkeepingPostgres,
  ensureBookkeepingSqlite,
  readApplied,
  recordPostgres,
  recordSqlite,
} from "./bookkeeping";
import {
  clearIncompletePostgres,
  clearIncompleteSqlite,
  type IncompleteMigration,
  readIncomplete,
} from "./failures";
import type { MigrationFile } from "./files";
import { positionOf } from "./plan";
import { describePostgresSchema } from "./postgres-shape";
import { DEFAULT_LOCK_TIMEOUT_MS, withPostgresLock } from "./run-postgres";
import { type SchemaItem, schemaDifferences, sqliteSchemaItems } from "./schema-diff";

/** The request cannot be carried out as asked; nothing was changed. */
export class RepairError extends Error {
  override name = "RepairError";
}

export type Outcome = "applied" | "rolled-back";

/**
 * Runs `body` holding the migration lock (PostgreSQL) or the write lock (SQLite), with the
 * bookkeeping table in place; `write` records its changes in one transaction.
 */
async function underLock<T>(
  db: Database,
  body: (write: (changes: Change[]) => Promise<void>) => Promise<T>,
): Promise<T> {
  if (db.dialect === "postgres") {
    return withPostgresLock(db, DEFAULT_LOCK_TIMEOUT_MS, async (connection) => {
      await ensureBookkeepingPostgres(connection);
      return body(async (changes) => {
        await connection`begin`;
        try {
          for (const change of changes) {
            if (change.kind === "record")
              await recordPostgres(connection, change.direction, change.migration);
            else await clearIncompletePostgres(connection, change.migration.createdAt);
          }
          await connection`commit`;
        } catch (error) {
          await connection`rollback`;
          throw error;
        }
      });
    });
  }
  // The whole read-check-write under SQLite's write lock, as a migrator takes it.
  const { sqlite } = db;
  ensureBookkeepingSqlite(sqlite);
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const result = await body(async (changes) => {
      for (const change of changes) {
        if (change.kind === "record") recordSqlite(sqlite, change.direction, change.migration);
        else clearIncompleteSqlite(sqlite, change.migration.createdAt);
      }
    });
    sqlite.exec("COMMIT");
    return result;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw error;
  }
}

type Change =
  | { kind: "record"; direction: "up" | "down"; migration: MigrationFile }
  | { kind: "clear"; migration: MigrationFile };

/** `db resolve <tag> --applied | --rolled-back`; returns what was recorded. */
export function resolveMigration(
  db: Database,
  migrations: MigrationFile[],
  tagOrNumber: string,
  outcome: Outcome,
): Promise<string> {
  const migration = migrations[positionOf(tagOrNumber, migrations)] as MigrationFile;
  return underLock(db, async (write) => {
    const applied = (await readApplied(db)).some((row) => row.createdAt === migration.createdAt);
    const failure: IncompleteMigration | undefined = (await readIncomplete(db)).find(
      (row) => row.createdAt === migration.createdAt,
    );
    const changes: Change[] = failure ? [{ kind: "clear", migration }] : [];
    if (outcome === "applied") {
      if (applied && !failure) throw new RepairError(`${migration.tag} is already applied`);
      if (migration.hash === null)
        throw new RepairError(`${migration.tag}.sql is missing: it cannot be recorded as applied`);
      if (!applied) changes.push({ kind: "record", direction: "up", migration });
    } else {
      if (!applied && !failure) {
        throw new RepairError(
          `${migration.tag} is neither applied nor incomplete: nothing to resolve`,
        );
      }
      if (applied) changes.push({ kind: "record", direction: "down", migration });
    }
    await write(changes);
    const cleared = failure ? ` (its incomplete ${failure.direction} run is cleared)` : "";
    return `${migration.tag} is recorded as ${outcome === "applied" ? "applied" : "not applied"}${cleared}; no SQL ran`;
  });
}

/** The schema the migrations build, in a scratch database of the same engine. */
async function expectedSchema(
  db: Database,
  steps: MigrationFile[],
  url: string,
): Promise<SchemaItem[]> {
  const statements = steps.flatMap((migration) => migration.statements ?? []);
  if (db.dialect === "sqlite") {
    const reference = new BunSqlite(":memory:");
    try {
      for (const statement of statements) reference.exec(statement);
      return sqliteSchemaItems(reference);
    } finally {
      reference.close();
    }
  }
  const name = `tenant_api_baseline_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await db.sql.unsafe(`create database "${name}"`).catch((error: unknown) => {
    throw new RepairError(
      `baseline compares with a scratch database and could not create one (${error instanceof Error ? error.message : error}): grant CREATEDB for the comparison`,
    );
  });
  try {
    const scratchUrl = new URL(url);
    scratchUrl.pathname = `/${name}`;
    const scratch = postgres(scratchUrl.toString(), { max: 1, onnotice: () => {} });
    try {
      for (const statement of statements) await scratch.unsafe(statement);
      return await describePostgresSchema(scratch);
    } finally {
      await scratch.end();
    }
  } finally {
    await db.sql.unsafe(`drop database if exists "${name}" with (force)`);
  }
}

async function liveSchema(db: Database): Promise<SchemaItem[]> {
  return db.dialect === "sqlite" ? sqliteSchemaItems(db.sqlite) : describePostgresSchema(db.sql);
}

/**
 * `db baseline <target>`: records every migration up to the target as applied, when nothing is
 * recorded yet and the database's schema is the one they build.
 */
export async function baselineDatabase(
  db: Database,
  migrations: MigrationFile[],
  targetText: string,
  url: string,
): Promise<string> {
  const position =
    targetText === "head" ? migrations.length - 1 : positionOf(targetText, migrations);
  const steps = migrations.slice(0, position + 1);
  if (steps.length === 0) throw new RepairError("there are no migrations to baseline");
  return underLock(db, async (write) => {
    const applied = await readApplied(db);
    if (applied.length > 0) {
      throw new RepairError(
        `${applied.length} migrations are already recorded: baseline adopts a database that has none (see db status)`,
      );
    }
    const differences = schemaDifferences(
      await liveSchema(db),
      await expectedSchema(db, steps, url),
    );
    if (differences.length > 0) {
      throw new RepairError(
        `the database's schema is not the one migrations up to ${steps.at(-1)?.tag} build:\n  ${differences.join("\n  ")}`,
      );
    }
    await write(steps.map((migration) => ({ kind: "record", direction: "up", migration })));
    return `recorded ${steps.length} migrations as applied (up to ${steps.at(-1)?.tag}); no SQL ran`;
  });
}

/** Drops every table, view, type and the bookkeeping of the database. */
export async function emptyDatabase(db: Database): Promise<void> {
  if (db.dialect === "postgres") {
    await withPostgresLock(db, DEFAULT_LOCK_TIMEOUT_MS, async (connection) => {
      await connection`drop schema if exists drizzle cascade`;
      await connection`drop schema if exists public cascade`;
      await connection`create schema public`;
    });
    return;
  }
  const { sqlite } = db;
  const objects = sqlite
    .query<{ type: string; name: string }, []>(
      "select type, name from sqlite_master where name not like 'sqlite_%' and type in ('table', 'view', 'trigger')",
    )
    .all();
  sqlite.exec("PRAGMA foreign_keys = OFF");
  try {
    sqlite
      .transaction(() => {
        for (const { type, name } of objects)
          sqlite.exec(`drop ${type} if exists "${name.replaceAll('"', '""')}"`);
      })
      .immediate();
  } finally {
    sqlite.exec("PRAGMA foreign_keys = ON");
  }
}
