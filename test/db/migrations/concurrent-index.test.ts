/**
 * What `-- migrate:no-transaction` is for: an index on a large live table. A writer inserts and
 * updates users without pause while a migration builds an index, once with CONCURRENTLY outside a
 * transaction and once with a plain CREATE INDEX, and the longest write of each run is printed.
 * PostgreSQL only: SQLite has one writer at a time whatever the migration does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import type { Database } from "../../../src/db/client";
import { migrateUp, moveTo } from "../../../src/db/migrations/engine";
import { createEmptyDatabase, postgresProblem, type TestDatabase } from "../../helpers/databases";
import { migrationFolderWith } from "../../helpers/migration-folder";

const ROWS = Number(process.env.CONCURRENT_INDEX_ROWS ?? 1_000_000);
const TENANT = "00000000-0000-4000-8000-000000000001";

interface WriterReport {
  writes: number;
  /** Writes that completed while the migration ran. */
  writesDuringMigration: number;
  longestMs: number;
  errors: number;
}

/** Inserts a user, then updates a random existing one, in a loop until stopped. */
function startWriter(url: string, label: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let running = true;
  let window: { start: number; end: number } | null = null;
  const samples: { at: number; ms: number }[] = [];
  let errors = 0;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const started = performance.now();
      try {
        if (n % 2 === 0) {
          await sql`insert into users (id, tenant_id, email, name, password_hash)
            values (gen_random_uuid(), ${TENANT}, ${`writer-${label}-${n}@example.com`}, 'writer', 'x')`;
        } else {
          await sql`update users set updated_at = now()
            where tenant_id = ${TENANT} and email = ${`user-${1 + Math.floor(Math.random() * ROWS)}@example.com`}`;
        }
      } catch {
        errors++;
      }
      samples.push({ at: performance.now(), ms: performance.now() - started });
    }
  })();
  return {
    markMigration: (start: number, end: number) => {
      window = { start, end };
    },
    async stop(): Promise<WriterReport> {
      running = false;
      await loop;
      await sql.end();
      const during = window
        ? samples.filter(
            (sample) => sample.at >= (window?.start ?? 0) && sample.at <= (window?.end ?? 0),
          )
        : [];
      // The longest write is the one that overlapped the migration most: any sample ending after
      // the start counts, since a blocked write ends only after the lock is released.
      const overlapping = window
        ? samples.filter((sample) => sample.at >= (window?.start ?? 0))
        : samples;
      return {
        writes: samples.length,
        writesDuringMigration: during.length,
        longestMs: Math.max(0, ...overlapping.map((sample) => sample.ms)),
        errors,
      };
    },
  };
}

async function buildIndex(database: TestDatabase, concurrently: boolean) {
  const name = concurrently ? "users_name_concurrent_idx" : "users_name_plain_idx";
  const up = concurrently
    ? `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY "${name}" ON "users" ("name");\n`
    : `CREATE INDEX "${name}" ON "users" ("name");\n`;
  const extra = migrationFolderWith("postgres", [
    {
      name: concurrently ? "concurrent_index" : "plain_index",
      up,
      down: `DROP INDEX "${name}";\n`,
    },
  ]);
  const writer = startWriter(database.url, name);
  await Bun.sleep(300);
  const start = performance.now();
  await migrateUp(database.db, extra.migrations);
  const end = performance.now();
  writer.markMigration(start, end);
  await Bun.sleep(300);
  const report = await writer.stop();
  await moveTo(database.db, extra.migrations, "down", { kind: "relative", steps: -1 });
  extra.remove();
  return { ...report, migrationMs: end - start };
}

async function fillUsers(db: Database): Promise<void> {
  if (db.dialect !== "postgres") throw new Error("PostgreSQL only");
  await db.sql`insert into tenants (id, name, slug) values (${TENANT}, 'big', 'big')`;
  await db.sql`insert into users (id, tenant_id, email, name, password_hash)
    select gen_random_uuid(), ${TENANT}, 'user-' || n || '@example.com', 'name ' || (n::bigint * 7919 % ${ROWS}), 'x'
    from generate_series(1, ${ROWS}) as n`;
  await db.sql`analyze users`;
}

describe.skipIf(postgresProblem !== null)(
  "an index on a live table of 1,000,000 users [postgres]",
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createEmptyDatabase("postgres");
      await migrateUp(database.db, migrationFolderWith("postgres", []).migrations);
      await fillUsers(database.db);
    }, 300_000);
    afterAll(async () => {
      await database?.drop();
    });

    test("CONCURRENTLY outside a transaction keeps writes flowing; a plain CREATE INDEX blocks them", async () => {
      const concurrent = await buildIndex(database, true);
      const plain = await buildIndex(database, false);
      console.log(
        `[concurrent-index] ${ROWS} rows: CONCURRENTLY took ${concurrent.migrationMs.toFixed(0)} ms, ` +
          `${concurrent.writesDuringMigration} writes completed during it, longest write ${concurrent.longestMs.toFixed(1)} ms; ` +
          `plain CREATE INDEX took ${plain.migrationMs.toFixed(0)} ms, ${plain.writesDuringMigration} writes completed during it, ` +
          `longest write ${plain.longestMs.toFixed(1)} ms (blocked)`,
      );
      expect(concurrent.errors + plain.errors).toBe(0);
      // The plain build holds a SHARE lock that every INSERT and UPDATE waits for: one write
      // waits for most of the migration (the rest of it is the migrator's own bookkeeping).
      expect(plain.longestMs).toBeGreaterThan(plain.migrationMs * 0.5);
      // CONCURRENTLY lets writes through while it scans: many complete, none waits that long.
      expect(concurrent.writesDuringMigration).toBeGreaterThan(20);
      expect(concurrent.longestMs).toBeLessThan(plain.longestMs);
    }, 300_000);
  },
);
