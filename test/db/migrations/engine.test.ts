import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { migrate as drizzleSqliteMigrate } from "drizzle-orm/bun-sqlite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as drizzlePostgresMigrate } from "drizzle-orm/postgres-js/migrator";
import { openDatabase } from "../../../src/db/client";
import { migrateUp, migrationState, readApplied } from "../../../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../../../src/db/migrations/files";
import {
  createEmptyDatabase,
  describeEachDialect,
  type TestDatabase,
} from "../../helpers/databases";

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
});

describeEachDialect("migration engine", (_database, dialect) => {
  const folder = migrationsFolder(dialect);
  const migrations = readMigrations(folder);
  const empty = async () => {
    const database = await createEmptyDatabase(dialect);
    opened.push(database);
    return database;
  };

  test("applies every migration once, recording drizzle's hash and timestamp", async () => {
    const { db } = await empty();
    expect((await migrationState(db, migrations)).pending).toHaveLength(migrations.length);
    expect(await migrateUp(db, migrations)).toEqual(migrations.map((migration) => migration.tag));
    expect(await migrateUp(db, migrations)).toEqual([]);
    const applied = await readApplied(db);
    for (const row of applied)
      expect(row.appliedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(applied.map(({ hash, createdAt }) => ({ hash, createdAt }))).toEqual(
      migrations.map((migration) => ({
        hash: createHash("sha256")
          .update(readFileSync(join(folder, `${migration.tag}.sql`)))
          .digest("hex"),
        createdAt: migration.createdAt,
      })),
    );
    const state = await migrationState(db, migrations);
    expect(state).toMatchObject({ pending: [], current: migrations.at(-1)?.tag });
  });

  test("drizzle's own migrator finds nothing left to do after ours", async () => {
    const { db } = await empty();
    await migrateUp(db, migrations);
    // It would fail with "already exists" if it tried to apply anything again.
    if (db.dialect === "postgres") {
      await drizzlePostgresMigrate(drizzlePostgres(db.sql), { migrationsFolder: folder });
    } else {
      drizzleSqliteMigrate(drizzleSqlite(db.sqlite), { migrationsFolder: folder });
    }
    expect(await readApplied(db)).toHaveLength(migrations.length);
  });

  test("and ours finds nothing left to do after drizzle's", async () => {
    const { db } = await empty();
    if (db.dialect === "postgres") {
      await drizzlePostgresMigrate(drizzlePostgres(db.sql), { migrationsFolder: folder });
    } else {
      drizzleSqliteMigrate(drizzleSqlite(db.sqlite), { migrationsFolder: folder });
    }
    expect(await migrateUp(db, migrations)).toEqual([]);
  });

  test("two processes migrating one database at once apply each migration exactly once", async () => {
    const database = await empty();
    const config =
      dialect === "postgres"
        ? ({ dialect, url: database.url } as const)
        : ({ dialect, path: database.url.slice("file:".length) } as const);
    const connections = [openDatabase(config), openDatabase(config), openDatabase(config)];
    try {
      const results = await Promise.all(connections.map((db) => migrateUp(db, migrations)));
      expect(results.flat().sort()).toEqual(migrations.map((migration) => migration.tag).sort());
      expect(await readApplied(database.db)).toHaveLength(migrations.length);
    } finally {
      for (const db of connections) await db.close();
    }
  });

  test("a failing migration rolls back entirely and records nothing", async () => {
    const { db } = await empty();
    const broken = {
      index: 99,
      tag: "0099_broken",
      createdAt: Date.now(),
      hash: "broken",
      statements: ["create table half_done (id integer)", "this is not sql"],
      downStatements: [],
      noTransaction: { up: false, down: false },
      irreversible: null,
    };
    await expect(migrateUp(db, [...migrations, broken])).rejects.toThrow();
    const applied = await readApplied(db);
    expect(applied.map((row) => row.createdAt)).toEqual(migrations.map((m) => m.createdAt));
    const halfDone =
      db.dialect === "postgres"
        ? (await db.sql`select to_regclass('half_done') as name`)[0]?.name
        : db.sqlite.query("select name from sqlite_master where name = 'half_done'").get();
    expect(halfDone ?? null).toBeNull();
  });
});
