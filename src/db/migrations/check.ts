import { Database as BunSqlite } from "bun:sqlite";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pushSchema } from "drizzle-kit/api";
import { drizzle } from "drizzle-orm/postgres-js";
import type { Database } from "../client";
import * as schema from "../schema";
import { withBranchCollisions } from "./branches";
import { readApplied, stateOf, tamperingProblems } from "./engine";
import { describeIncomplete, readIncomplete } from "./failures";
import { type MigrationFile, readJournal, snapshotPath } from "./files";
import { diffSnapshots, emptySnapshot, readSnapshot, snapshotOf } from "./snapshots";
import { describeSqliteSchema } from "./sqlite-shape";

const ORIGIN_ID = "00000000-0000-0000-0000-000000000000";

export interface CheckReport {
  problems: string[];
  /** What could not be checked, and why; not a failure. */
  notes: string[];
}

/** The journal and the snapshots agree: one snapshot per entry, chained by prevId, none extra. */
function journalProblems(folder: string): string[] {
  const journal = readJournal(folder);
  const problems: string[] = [];
  let previousId = ORIGIN_ID;
  const seenWhen = new Set<number>();
  for (const entry of journal.entries) {
    if (seenWhen.has(entry.when))
      problems.push(`meta/_journal.json: ${entry.tag} shares its "when" with another entry`);
    seenWhen.add(entry.when);
    const path = snapshotPath(folder, entry.idx);
    if (!existsSync(path)) {
      problems.push(`${path} is missing for journal entry ${entry.tag}`);
      continue;
    }
    const snapshot = readSnapshot(folder, entry.idx);
    if (snapshot.prevId !== previousId) {
      problems.push(
        `${path}: prevId ${snapshot.prevId} does not follow the snapshot before it (${previousId})`,
      );
    }
    previousId = snapshot.id;
  }
  const listed = new Set(journal.entries.map((entry) => snapshotPath(folder, entry.idx)));
  for (const file of readdirSync(join(folder, "meta"))) {
    const path = join(folder, "meta", file);
    if (file.endsWith("_snapshot.json") && !listed.has(path))
      problems.push(`${path} is not in meta/_journal.json`);
  }
  return problems;
}

async function unmigratedSchemaChanges(
  db: Database,
  folder: string,
  migrations: MigrationFile[],
): Promise<string[]> {
  const last = migrations.at(-1);
  const latest = last ? readSnapshot(folder, last.index) : await emptySnapshot(db.dialect);
  const statements = await diffSnapshots(
    db.dialect,
    latest,
    await snapshotOf(db.dialect, schema, latest.id),
  );
  return statements.length === 0
    ? []
    : [
        `src/db/schema.ts has changes no ${db.dialect} migration holds (${statements.length} statements): run npm run db:generate`,
      ];
}

/** drizzle-kit draws a progress spinner on stdout while it introspects; it is not ours to print. */
async function withoutStdout<T>(body: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await body();
  } finally {
    process.stdout.write = write;
  }
}

/** The live database against the schema its applied migrations build. */
async function driftProblems(
  db: Database,
  migrations: MigrationFile[],
  applied: Set<number>,
): Promise<string[]> {
  if (db.dialect === "sqlite") {
    const reference = new BunSqlite(":memory:");
    try {
      for (const migration of migrations) {
        if (!applied.has(migration.createdAt)) continue;
        for (const statement of migration.statements ?? []) reference.exec(statement);
      }
      const live = JSON.stringify(describeSqliteSchema(db.sqlite));
      return live === JSON.stringify(describeSqliteSchema(reference))
        ? []
        : ["the live SQLite schema differs from the one its applied migrations build (drift)"];
    } finally {
      reference.close();
    }
  }
  const orm = drizzle(db.sql);
  // drizzle-kit expects node-postgres' result shape: rows under `rows`.
  const shim = {
    execute: async (query: Parameters<typeof orm.execute>[0]) => ({
      rows: await orm.execute(query),
    }),
  };
  const { statementsToExecute } = await withoutStdout(() =>
    pushSchema(schema, shim as unknown as Parameters<typeof pushSchema>[1]),
  );
  return statementsToExecute.length === 0
    ? []
    : [
        `the live PostgreSQL schema has drifted from the migrations: it would take ${statementsToExecute.map((s) => s.split("\n")[0]).join(" | ")}`,
      ];
}

/** Everything `db check` reports; an empty `problems` list means it passes. */
export async function checkMigrations(
  db: Database,
  folder: string,
  migrations: MigrationFile[],
): Promise<CheckReport> {
  const applied = await readApplied(db);
  const problems = [
    ...tamperingProblems(applied, migrations),
    ...migrations.flatMap((migration) =>
      migration.statements === null && !applied.some((row) => row.createdAt === migration.createdAt)
        ? [`${migration.tag}.sql is in the journal but missing`]
        : [],
    ),
    ...migrations.flatMap((migration) =>
      migration.downStatements === null
        ? [`${migration.tag}.down.sql is missing: run npm run db:generate to write it`]
        : [],
    ),
    ...migrations.flatMap((migration) =>
      migration.downStatements?.length === 0 && migration.irreversible === null
        ? [
            `${migration.tag}.down.sql is empty: write the SQL that undoes ${migration.tag}.sql, or say "-- irreversible: <reason>"`,
          ]
        : [],
    ),
    ...(await readIncomplete(db)).map(describeIncomplete),
  ];
  const notes: string[] = [];
  // Migrations from two branches break the snapshot chain too: say so once, as a collision.
  const snapshotProblems = withBranchCollisions(folder, () => journalProblems(folder));
  problems.push(...snapshotProblems);
  const schemaChanges =
    snapshotProblems.length === 0 ? await unmigratedSchemaChanges(db, folder, migrations) : [];
  if (snapshotProblems.length > 0) notes.push("schema.ts not compared: the snapshots are broken");
  problems.push(...schemaChanges);
  const state = stateOf(applied, migrations);
  if (db.dialect === "postgres" && (state.pending.length > 0 || schemaChanges.length > 0)) {
    notes.push(
      "drift not checked: PostgreSQL is compared with schema.ts, so it must be at head and schema.ts migrated",
    );
  } else {
    problems.push(
      ...(await driftProblems(db, migrations, new Set(applied.map((row) => row.createdAt)))),
    );
  }
  return { problems, notes };
}
