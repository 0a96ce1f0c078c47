import { test } from "bun:test";
import { migrationsFolder, readMigrations } from "../../../src/db/migrations/files";
import { describeEachDialect } from "../../helpers/databases";
import { expectRoundTrip } from "../../helpers/roundtrip";

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
