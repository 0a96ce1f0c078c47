/**
 * What migration 0002_shard_ready_keys costs a live database: the primary keys of users, api_keys
 * and credential_failures move to (tenant_id, id). On PostgreSQL a writer inserts and updates
 * users without pause while the committed migration runs (indexes built CONCURRENTLY, swapped in
 * with USING INDEX), then while the same change runs the plain way (ADD PRIMARY KEY in one
 * transaction, which builds the index under the table's ACCESS EXCLUSIVE lock); it prints the
 * longest write of each. On SQLite it prints how long the rebuild holds the write lock.
 *   bun bench/shard-migration.ts [--rows 1000000] [--dialect both|sqlite|postgres]
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { v7 as uuidv7 } from "uuid";
import { freshDatabase } from "../scripts/harness";
import { parseDatabaseUrl } from "../src/config";
import { type Database, openDatabase } from "../src/db/client";
import { moveTo } from "../src/db/migrations/engine";
import { migrationsFolder, readMigrations, upPath } from "../src/db/migrations/files";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    dialect: { type: "string", default: "both" },
  },
});
const ROWS = Number(values.rows);
const TENANTS = 1_000;
const TAG = "0002_shard_ready_keys";
const BELOW = { kind: "revision", text: "0001_api_keys" } as const;
const AT = { kind: "revision", text: TAG } as const;

// The same change as drizzle-kit writes it, the old primary keys dropped by name.
const PLAIN_POSTGRES = `ALTER TABLE "users" DROP CONSTRAINT "users_pkey", ADD CONSTRAINT "users_tenant_id_id_pk" PRIMARY KEY("tenant_id","id");
--> statement-breakpoint
DROP INDEX "users_tenant_id_id_idx";
--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_pkey", ADD CONSTRAINT "api_keys_tenant_id_id_pk" PRIMARY KEY("tenant_id","id");
--> statement-breakpoint
DROP INDEX "api_keys_tenant_id_id_idx";
--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_key_id_unique", ADD CONSTRAINT "api_keys_key_id_tenant_id_unique" UNIQUE("key_id","tenant_id");
--> statement-breakpoint
ALTER TABLE "credential_failures" DROP CONSTRAINT "credential_failures_pkey", ADD CONSTRAINT "credential_failures_tenant_id_id_pk" PRIMARY KEY("tenant_id","id");
`;

async function fill(db: Database): Promise<void> {
  if (db.dialect === "postgres") {
    await db.sql`insert into tenants (id, name, slug)
      select gen_random_uuid(), 'tenant ' || n, 'tenant-' || n from generate_series(1, ${TENANTS}) n`;
    await db.sql`insert into users (id, tenant_id, email, name, password_hash)
      select gen_random_uuid(), t.id, 'user-' || n || '@example.com', 'user', 'x'
      from generate_series(1, ${ROWS}) n
      join (select id, row_number() over () - 1 as slot from tenants) t on t.slot = n % ${TENANTS}`;
    await db.sql`insert into api_keys (id, tenant_id, key_id, secret_hash)
      select gen_random_uuid(), id, substr(md5(id::text), 1, 16), repeat('0', 64) from tenants`;
    await db.sql`analyze`;
    return;
  }
  const tenantIds = Array.from({ length: TENANTS }, () => uuidv7());
  const now = Date.now();
  db.sqlite.transaction(() => {
    const tenant = db.sqlite.prepare(
      "insert into tenants (id, name, slug, created_at, updated_at) values (?, ?, ?, ?, ?)",
    );
    for (const [n, id] of tenantIds.entries())
      tenant.run(id, `tenant ${n}`, `tenant-${n}`, now, now);
    const user = db.sqlite.prepare(
      "insert into users (id, tenant_id, email, name, password_hash, created_at, updated_at) values (?, ?, ?, 'user', 'x', ?, ?)",
    );
    for (let n = 0; n < ROWS; n++)
      user.run(uuidv7(), tenantIds[n % TENANTS] ?? "", `user-${n}@example.com`, now, now);
  })();
}

/** Inserts and updates users in a loop, timing each write. */
function startWriter(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let running = true;
  const samples: { endedAt: number; ms: number }[] = [];
  const loop = (async () => {
    const [tenant] = await sql<{ id: string }[]>`select id from tenants limit 1`;
    for (let n = 0; running; n++) {
      const started = performance.now();
      if (n % 2 === 0)
        await sql`insert into users (id, tenant_id, email, name, password_hash)
          values (gen_random_uuid(), ${tenant?.id ?? null}, ${`writer-${n}-${started}@example.com`}, 'writer', 'x')`;
      else
        await sql`update users set updated_at = now()
          where email = ${`user-${Math.floor(Math.random() * ROWS)}@example.com`}`;
      samples.push({ endedAt: performance.now(), ms: performance.now() - started });
    }
  })();
  /** Writes that ended while the migration ran, and the longest write that ended after it began. */
  return async (migrationStart: number, migrationEnd: number) => {
    running = false;
    await loop;
    await sql.end();
    const after = samples.filter((sample) => sample.endedAt >= migrationStart);
    return {
      writes: after.filter((sample) => sample.endedAt <= migrationEnd).length,
      longestMs: Math.max(0, ...after.map((sample) => sample.ms)),
    };
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function postgresRun(): Promise<void> {
  const { url, drop } = await freshDatabase("postgres", "shard_bench");
  const db = openDatabase(parseDatabaseUrl(url));
  const plainFolder = mkdtempSync(join(tmpdir(), "tenant-api-plain-0002-"));
  try {
    cpSync(migrationsFolder("postgres"), plainFolder, { recursive: true });
    writeFileSync(upPath(plainFolder, TAG), PLAIN_POSTGRES);
    const committed = readMigrations(migrationsFolder("postgres"));
    const plain = readMigrations(plainFolder);
    await moveTo(db, committed, "up", BELOW);
    await fill(db);
    for (const [label, migrations] of [
      ["committed (CONCURRENTLY, USING INDEX)", committed],
      ["plain (ADD PRIMARY KEY in a transaction)", plain],
    ] as const) {
      const stop = startWriter(url);
      await Bun.sleep(500);
      const start = performance.now();
      await moveTo(db, migrations, "up", AT);
      const end = performance.now();
      await Bun.sleep(500);
      const { writes, longestMs } = await stop(start, end);
      console.log(
        `postgres, ${ROWS} users: ${label}: ${((end - start) / 1000).toFixed(2)} s, ` +
          `${writes} writes completed during it, longest write ${longestMs.toFixed(0)} ms`,
      );
      await moveTo(db, migrations, "down", BELOW);
    }
  } finally {
    rmSync(plainFolder, { recursive: true, force: true });
    await db.close();
    await drop();
  }
}

async function sqliteRun(): Promise<void> {
  const { url, drop } = await freshDatabase("sqlite", "shard-bench");
  const db = openDatabase(parseDatabaseUrl(url));
  try {
    const migrations = readMigrations(migrationsFolder("sqlite"));
    await moveTo(db, migrations, "up", BELOW);
    await fill(db);
    const upMs = await timed(() => moveTo(db, migrations, "up", AT));
    const downMs = await timed(() => moveTo(db, migrations, "down", BELOW));
    console.log(
      `sqlite, ${ROWS} users: the rebuild holds the write lock ${(upMs / 1000).toFixed(2)} s up, ` +
        `${(downMs / 1000).toFixed(2)} s down`,
    );
  } finally {
    await db.close();
    await drop();
  }
}

if (values.dialect !== "postgres") await sqliteRun();
if (values.dialect !== "sqlite") await postgresRun();
