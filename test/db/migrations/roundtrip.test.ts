import { expect, test } from "bun:test";
import { moveTo } from "../../../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../../../src/db/migrations/files";
import { createEmptyDatabase, describeEachDialect } from "../../helpers/databases";
import { buildApp, call } from "../../helpers/http";
import { expectRoundTrip } from "../../helpers/roundtrip";
import { rowCounts } from "../../helpers/schema-shape";

/** Walks every committed migration: a future migration whose down file is wrong fails here. */
describeEachDialect("committed migrations round-trip", (_database, dialect) => {
  const migrations = readMigrations(migrationsFolder(dialect));
  for (const [position, migration] of migrations.entries()) {
    const below = migrations[position - 1]?.tag ?? "base";
    test(
      `${migration.tag}: down to ${below} and up again rebuild the same schemas`,
      () => expectRoundTrip(dialect, migrations, position),
      60_000,
    );
  }
});

describeEachDialect("committed migrations keep data", (_database, dialect) => {
  const migrations = readMigrations(migrationsFolder(dialect));

  test("rows in tables a migration keeps survive its down and up again", async () => {
    const database = await createEmptyDatabase(dialect);
    try {
      const { db } = database;
      await moveTo(db, migrations, "up", { kind: "head" });
      const app = buildApp(db);
      const tenant = await call(app, "POST", "/tenants", { body: { name: "Kept", slug: "kept" } });
      await call(app, "POST", `/tenants/${tenant.body.id}/users`, {
        body: { email: "kept@example.com", name: "Kept", password: "long enough" },
      });
      expect(await rowCounts(db)).toMatchObject({ tenants: 1, users: 1 });
      for (const migration of [...migrations].reverse()) {
        const before = await rowCounts(db);
        await moveTo(db, migrations, "down", { kind: "relative", steps: -1 });
        const below = await rowCounts(db);
        await moveTo(db, migrations, "up", { kind: "revision", text: migration.tag });
        const after = await rowCounts(db);
        for (const table of Object.keys(below)) {
          expect({ table, rows: below[table] }).toEqual({ table, rows: before[table] });
          expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
        }
        await moveTo(db, migrations, "down", { kind: "relative", steps: -1 });
      }
      expect(await rowCounts(db)).toEqual({});
    } finally {
      await database.drop();
    }
  }, 60_000);
});
