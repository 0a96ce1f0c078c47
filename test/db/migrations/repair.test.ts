import { afterEach, expect, test } from "bun:test";
import type { Database } from "../../../src/db/client";
import { migrateUp, readApplied } from "../../../src/db/migrations/engine";
import {
  type MigrationFile,
  migrationsFolder,
  readMigrations,
} from "../../../src/db/migrations/files";
import { baselineDatabase, emptyDatabase, RepairError } from "../../../src/db/migrations/repair";
import {
  createEmptyDatabase,
  describeEachDialect,
  type TestDatabase,
} from "../../helpers/databases";

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
});

/** What a team without our tool does: the SQL files run by hand, nothing recorded. */
async function runByHand(db: Database, migrations: MigrationFile[]): Promise<void> {
  for (const statement of migrations.flatMap((migration) => migration.statements ?? [])) {
    if (db.dialect === "postgres") await db.sql.unsafe(statement);
    else db.sqlite.exec(statement);
  }
}

describeEachDialect("db baseline and reset", (_database, dialect) => {
  const migrations = readMigrations(migrationsFolder(dialect));
  const [first, second] = migrations;
  const empty = async () => {
    const database = await createEmptyDatabase(dialect);
    opened.push(database);
    return database;
  };

  test("a database built by hand is baselined, then up applies only what is newer", async () => {
    const { db, url } = await empty();
    await runByHand(db, migrations.slice(0, 1));
    const message = await baselineDatabase(db, migrations, first?.tag ?? "", url);
    expect(message).toContain(`recorded 1 migrations as applied (up to ${first?.tag})`);
    expect((await readApplied(db)).map((row) => row.createdAt)).toEqual([first?.createdAt ?? 0]);
    expect(await migrateUp(db, migrations)).toEqual(migrations.slice(1).map((m) => m.tag));
  });

  test("baseline is refused, naming the differences, when the schema is not the target's", async () => {
    const { db, url } = await empty();
    // Built by hand up to the second migration, plus a column none of them makes.
    await runByHand(db, migrations.slice(0, 2));
    if (db.dialect === "postgres") await db.sql`alter table users add column nickname text`;
    else db.sqlite.exec("alter table users add column nickname text");
    const refusal = await baselineDatabase(db, migrations, "0", url).catch((error) => error);
    expect(refusal).toBeInstanceOf(RepairError);
    const text = String(refusal);
    expect(text).toMatch(/users: column nickname is in the database but in no migration/);
    expect(text).toMatch(/api_keys: column \w+ is in the database but in no migration/);
    expect(await readApplied(db)).toEqual([]);
    // At the right target the extra column is still a difference: nothing is recorded.
    await expect(baselineDatabase(db, migrations, second?.tag ?? "", url)).rejects.toThrow(
      "users: column nickname is in the database but in no migration",
    );
    expect(await readApplied(db)).toEqual([]);
  });

  test("baseline is refused when migrations are already recorded", async () => {
    const { db, url } = await empty();
    await migrateUp(db, migrations);
    await expect(baselineDatabase(db, migrations, second?.tag ?? "", url)).rejects.toThrow(
      "already recorded",
    );
  });

  test("emptying drops tables, rows and bookkeeping; up then rebuilds every migration", async () => {
    const { db } = await empty();
    await migrateUp(db, migrations);
    if (db.dialect === "postgres")
      await db.sql`insert into tenants (id, name, slug) values (gen_random_uuid(), 'x', 'x')`;
    else db.sqlite.exec("insert into tenants (id, name, slug) values ('a', 'x', 'x')");
    await emptyDatabase(db);
    expect(await readApplied(db)).toEqual([]);
    expect(await migrateUp(db, migrations)).toEqual(migrations.map((m) => m.tag));
    const count =
      db.dialect === "postgres"
        ? Number((await db.sql`select count(*) as n from tenants`)[0]?.n)
        : db.sqlite.query<{ n: number }, []>("select count(*) as n from tenants").get()?.n;
    expect(count).toBe(0);
  });
});
