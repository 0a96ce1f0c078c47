import { afterAll, afterEach, expect, test } from "bun:test";
import type { Database } from "../../../src/db/client";
import { checkMigrations } from "../../../src/db/migrations/check";
import { migrateUp, moveTo, readApplied } from "../../../src/db/migrations/engine";
import {
  IncompleteMigrationError,
  MigrationFailedError,
  MigrationFileError,
} from "../../../src/db/migrations/errors";
import { readIncomplete } from "../../../src/db/migrations/failures";
import { resolveMigration } from "../../../src/db/migrations/repair";
import {
  createEmptyDatabase,
  describeEachDialect,
  type TestDatabase,
} from "../../helpers/databases";
import { type ExtraMigration, migrationFolderWith } from "../../helpers/migration-folder";

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
});
const folders: { remove(): void }[] = [];
afterAll(() => {
  for (const folder of folders) folder.remove();
});

const BREAK = "\n--> statement-breakpoint\n";

async function tableExists(db: Database, name: string): Promise<boolean> {
  if (db.dialect === "postgres") {
    const [row] = await db.sql`select to_regclass(${name}) as name`;
    return row?.name != null;
  }
  return db.sqlite.query("select 1 from sqlite_master where name = ?").get(name) !== null;
}

describeEachDialect("migrations outside a transaction", (_database, dialect) => {
  const setUp = async (extra: ExtraMigration[]) => {
    const folder = migrationFolderWith(dialect, extra);
    folders.push(folder);
    const database = await createEmptyDatabase(dialect);
    opened.push(database);
    return { db: database.db, folder: folder.folder, migrations: folder.migrations };
  };
  // Only PostgreSQL refuses these inside a transaction: proof that the statements ran outside.
  const [createIndex, dropIndex] =
    dialect === "postgres"
      ? [
          'CREATE INDEX CONCURRENTLY "users_created_at_idx" ON "users" ("created_at")',
          'DROP INDEX CONCURRENTLY "users_created_at_idx"',
        ]
      : [
          "CREATE INDEX `users_created_at_idx` ON `users` (`created_at`)",
          "DROP INDEX `users_created_at_idx`",
        ];

  test("runs statement by statement, records the migration after the last, and goes down", async () => {
    const { db, migrations } = await setUp([
      {
        name: "concurrent_index",
        up: `-- migrate:no-transaction\n${createIndex};${BREAK}select 1;\n`,
        down: `-- migrate:no-transaction\n${dropIndex};\n`,
      },
    ]);
    expect(migrations.at(-1)?.noTransaction).toEqual({ up: true, down: true });
    expect(await migrateUp(db, migrations)).toHaveLength(migrations.length);
    expect((await readApplied(db)).map((row) => row.createdAt)).toContain(
      migrations.at(-1)?.createdAt as number,
    );
    expect(await readIncomplete(db)).toEqual([]);
    const down = await moveTo(db, migrations, "down", { kind: "relative", steps: -1 });
    expect(down.steps.map((migration) => migration.tag)).toEqual([migrations.at(-1)?.tag ?? ""]);
    expect(await readIncomplete(db)).toEqual([]);
  });

  test("a failure leaves the statements before it, shows where it stopped and blocks up until resolved", async () => {
    const { db, folder, migrations } = await setUp([
      {
        name: "half_done",
        up: `-- migrate:no-transaction\ncreate table first_half (id integer);${BREAK}this is not sql;${BREAK}create table second_half (id integer);\n`,
        down: "-- migrate:no-transaction\ndrop table second_half;\ndrop table first_half;\n",
      },
    ]);
    const tag = migrations.at(-1)?.tag as string;
    const failure = await migrateUp(db, migrations).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationFailedError);
    expect(String(failure)).toContain("outside a transaction");
    expect(String(failure)).toContain(`resolve ${tag}`);
    expect(await tableExists(db, "first_half")).toBe(true);
    expect(await tableExists(db, "second_half")).toBe(false);
    const [incomplete] = await readIncomplete(db);
    expect(incomplete).toMatchObject({
      tag,
      direction: "up",
      statementNumber: 2,
      statementCount: 3,
      statement: "this is not sql;",
    });
    expect(incomplete?.error).toContain("syntax");
    expect((await readApplied(db)).length).toBe(migrations.length - 1);

    await expect(migrateUp(db, migrations)).rejects.toBeInstanceOf(IncompleteMigrationError);
    await expect(moveTo(db, migrations, "down", { kind: "base" })).rejects.toBeInstanceOf(
      IncompleteMigrationError,
    );
    const report = await checkMigrations(db, folder, migrations);
    expect(report.problems.join("\n")).toContain(`${tag} failed going up`);

    // Finished by hand: recorded as applied, and nothing is pending any more.
    if (db.dialect === "postgres") await db.sql`create table second_half (id integer)`;
    else db.sqlite.exec("create table second_half (id integer)");
    expect(await resolveMigration(db, migrations, tag, "applied")).toContain("recorded as applied");
    expect(await readIncomplete(db)).toEqual([]);
    expect(await migrateUp(db, migrations)).toEqual([]);
    await expect(resolveMigration(db, migrations, tag, "applied")).rejects.toThrow(
      "already applied",
    );
  });

  test("resolve --rolled-back after undoing a failed run by hand lets up run it again", async () => {
    const { db, migrations } = await setUp([
      {
        name: "fails_once",
        up: `-- migrate:no-transaction\ncreate table made_twice (id integer);${BREAK}create table made_twice (id integer);\n`,
        down: "drop table made_twice;\n",
      },
    ]);
    const tag = migrations.at(-1)?.tag as string;
    await expect(migrateUp(db, migrations)).rejects.toBeInstanceOf(MigrationFailedError);
    if (db.dialect === "postgres") await db.sql`drop table made_twice`;
    else db.sqlite.exec("drop table made_twice");
    expect(await resolveMigration(db, migrations, tag, "rolled-back")).toContain(
      "recorded as not applied",
    );
    await expect(resolveMigration(db, migrations, tag, "rolled-back")).rejects.toThrow(
      "nothing to resolve",
    );
    // The same file fails the same way: the mark comes back, the migration is still not applied.
    await expect(migrateUp(db, migrations)).rejects.toBeInstanceOf(MigrationFailedError);
    expect((await readIncomplete(db)).map((row) => row.tag)).toEqual([tag]);
  });

  test("an irreversible migration refuses down with its reason; an empty down file fails check", async () => {
    const { db, folder, migrations } = await setUp([
      {
        name: "backfill",
        up: "update users set name = name;\n",
        down: "-- irreversible: the old names are not kept anywhere\n",
      },
      { name: "forgot_down", up: "select 1;\n", down: "-- write the undo here\n" },
    ]);
    const [backfill, forgot] = migrations.slice(-2);
    expect(backfill?.irreversible).toBe("the old names are not kept anywhere");
    expect(forgot?.irreversible).toBeNull();
    await migrateUp(db, migrations);
    const report = await checkMigrations(db, folder, migrations);
    expect(
      report.problems.some((problem) => problem.includes(`${forgot?.tag}.down.sql is empty`)),
    ).toBe(true);
    expect(report.problems.some((problem) => problem.includes(`${backfill?.tag}.down.sql`))).toBe(
      false,
    );
    await moveTo(db, migrations, "down", { kind: "relative", steps: -1 });
    const refusal = moveTo(db, migrations, "down", { kind: "base" });
    await expect(refusal).rejects.toBeInstanceOf(MigrationFileError);
    await expect(moveTo(db, migrations, "down", { kind: "base" })).rejects.toThrow(
      `cannot go down through ${backfill?.tag}: it is irreversible (the old names are not kept anywhere)`,
    );
  });
});
