import { afterEach, expect, test } from "bun:test";
import { moveTo } from "../../../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../../../src/db/migrations/files";
import {
  createEmptyDatabase,
  describeEachDialect,
  type TestDatabase,
} from "../../helpers/databases";
import { schemaShape } from "../../helpers/schema-shape";

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
});

/**
 * Walks every committed migration: a future migration whose down file is wrong fails here.
 */
describeEachDialect("committed migrations round-trip", (_database, dialect) => {
  const migrations = readMigrations(migrationsFolder(dialect));

  for (const [position, migration] of migrations.entries()) {
    const previous = migrations[position - 1];
    const below = previous
      ? { kind: "revision" as const, text: previous.tag }
      : { kind: "base" as const };
    const at = { kind: "revision" as const, text: migration.tag };

    test(`${migration.tag}: down to ${previous?.tag ?? "base"} and up again rebuild the same schema`, async () => {
      const direct = await createEmptyDatabase(dialect);
      const roundTrip = await createEmptyDatabase(dialect);
      const reference = await createEmptyDatabase(dialect);
      opened.push(direct, roundTrip, reference);

      await moveTo(direct.db, migrations, "up", at);
      await moveTo(roundTrip.db, migrations, "up", at);
      await moveTo(roundTrip.db, migrations, "down", below);
      if (previous) await moveTo(reference.db, migrations, "up", below);
      // Down leaves exactly the schema of the revision below.
      expect(schemaShape(roundTrip.db, roundTrip.url)).toBe(
        schemaShape(reference.db, reference.url),
      );
      await moveTo(roundTrip.db, migrations, "up", at);
      expect(schemaShape(roundTrip.db, roundTrip.url)).toBe(schemaShape(direct.db, direct.url));
    }, 60_000);
  }
});
