import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { migrate as drizzleSqliteMigrate } from "drizzle-orm/bun-sqlite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as drizzlePostgresMigrate } from "drizzle-orm/postgres-js/migrator";
import { openDatabase } from "../../../src/db/client";
import { migrateUp, migrationState, readApplied } from "../../../src/db/migrations/engine";
import {
  journalPath,
  migrationsFolder,
  readJournal,
  readMigrations,
} from "../../../src/db/migrations/files";
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

  // drizzle's migrator runs every pending migration in one transaction, so it stops at the first
  // one that must run outside a transaction (docs/migrations.md); it can build what comes before.
  const outside = migrations.findIndex((migration) => migration.noTransaction.up);
  const drizzleCanRun = outside === -1 ? migrations : migrations.slice(0, outside);
  /** The committed folder, its journal cut after the migrations drizzle's migrator can run. */
  const folderForDrizzle = () => {
    const copy = mkdtempSync(join(tmpdir(), "tenant-api-drizzle-migrator-"));
    cpSync(folder, copy, { recursive: true });
    const journal = readJournal(copy);
    journal.entries = journal.entries.slice(0, drizzleCanRun.length);
    writeFileSync(journalPath(copy), JSON.stringify(journal));
    return copy;
  };
  const drizzleMigrate = async (db: TestDatabase["db"], migrationsFolder: string) => {
    if (db.dialect === "postgres")
      await drizzlePostgresMigrate(drizzlePostgres(db.sql), { migrationsFolder });
    else drizzleSqliteMigrate(drizzleSqlite(db.sqlite), { migrationsFolder });
  };

  test("and ours finds nothing left to do after drizzle's, but what drizzle's cannot run", async () => {
    const { db } = await empty();
    const copy = folderForDrizzle();
    try {
      await drizzleMigrate(db, copy);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    expect(await readApplied(db)).toHaveLength(drizzleCanRun.length);
    expect(await migrateUp(db, migrations)).toEqual(
      migrations.slice(drizzleCanRun.length).map((migration) => migration.tag),
    );
  });

  test.if(outside !== -1)(
    "drizzle's migrator refuses a migration that must run outside a transaction, applying none",
    async () => {
      const { db } = await empty();
      const failure = await drizzleMigrate(db, folder).then(
        () => new Error("drizzle's migrator went through"),
        (error: Error) => error,
      );
      // drizzle wraps the database's error ("Failed query: …") and keeps it as the cause.
      expect(String(failure.cause ?? failure)).toContain("cannot run inside a transaction block");
      expect(await readApplied(db)).toEqual([]);
    },
  );

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
