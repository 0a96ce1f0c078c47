import { expect } from "bun:test";
import type { Dialect } from "../../src/config";
import { moveTo } from "../../src/db/migrations/engine";
import type { MigrationFile } from "../../src/db/migrations/files";
import { createEmptyDatabase } from "./databases";
import { schemaShape } from "./schema-shape";

/**
 * Up to migration `position`, down to the one before, up again: down must leave exactly the
 * schema of the revision below, and up again exactly the schema of going up directly.
 */
export async function expectRoundTrip(
  dialect: Dialect,
  migrations: MigrationFile[],
  position: number,
) {
  const migration = migrations[position];
  if (migration === undefined) throw new Error(`no migration at position ${position}`);
  const previous = migrations[position - 1];
  const below = previous
    ? { kind: "revision" as const, text: previous.tag }
    : { kind: "base" as const };
  const at = { kind: "revision" as const, text: migration.tag };
  const [direct, roundTrip, reference] = await Promise.all([
    createEmptyDatabase(dialect),
    createEmptyDatabase(dialect),
    createEmptyDatabase(dialect),
  ]);
  try {
    await moveTo(direct.db, migrations, "up", at);
    await moveTo(roundTrip.db, migrations, "up", at);
    await moveTo(roundTrip.db, migrations, "down", below);
    if (previous) await moveTo(reference.db, migrations, "up", below);
    expect(schemaShape(roundTrip.db, roundTrip.url)).toBe(schemaShape(reference.db, reference.url));
    await moveTo(roundTrip.db, migrations, "up", at);
    expect(schemaShape(roundTrip.db, roundTrip.url)).toBe(schemaShape(direct.db, direct.url));
  } finally {
    await Promise.all([direct.drop(), roundTrip.drop(), reference.drop()]);
  }
}
