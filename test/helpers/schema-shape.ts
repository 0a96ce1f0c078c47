import type { Database } from "../../src/db/client";
import { describeSqliteSchema } from "../../src/db/migrations/sqlite-shape";

/**
 * The schema of a database as text to compare: `pg_dump --schema-only` on PostgreSQL (without
 * the random \restrict lines and comments of pg_dump 15), the PRAGMA description on SQLite.
 */
export function schemaShape(db: Database, url: string): string {
  if (db.dialect === "sqlite") return JSON.stringify(describeSqliteSchema(db.sqlite), null, 1);
  const dump = Bun.spawnSync([
    "pg_dump",
    "--schema-only",
    "--no-owner",
    "--no-privileges",
    // the bookkeeping table is not part of the schema the migrations build
    "--exclude-schema=drizzle",
    url,
  ]);
  if (dump.exitCode !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
  return dump.stdout
    .toString()
    .split("\n")
    .filter(
      (line) => !/^\\(un)?restrict /.test(line) && !line.startsWith("--") && line.trim() !== "",
    )
    .join("\n");
}

/** Rows per user table, to see that data survived. */
export async function rowCounts(db: Database): Promise<Record<string, number>> {
  if (db.dialect === "sqlite") {
    const tables = db.sqlite
      .query<{ name: string }, []>(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations' order by name",
      )
      .all();
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (db.sqlite.query(`select count(*) as n from "${name}"`).get() as { n: number }).n,
      ]),
    );
  }
  const tables = await db.sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from "${name}"`);
    counts[name] = row?.n ?? 0;
  }
  return counts;
}
