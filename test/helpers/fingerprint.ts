import type { Database } from "../../src/db/client";

/**
 * Every row of every table, in a stable order: equal fingerprints mean unchanged data. A key's
 * last_used_at is left out: using a key is meant to move it.
 */
export async function fingerprint(db: Database): Promise<string> {
  const tables = ["tenants", "users", "api_keys", "credential_failures"];
  const parts: unknown[] = [];
  for (const table of tables) {
    const rows: Record<string, unknown>[] =
      db.dialect === "postgres"
        ? await db.sql.unsafe<Record<string, unknown>[]>(`select * from ${table} order by id`)
        : db.sqlite.query<Record<string, unknown>, []>(`select * from ${table} order by id`).all();
    parts.push(rows.map(({ last_used_at: _, ...row }) => row));
  }
  return JSON.stringify(parts);
}
