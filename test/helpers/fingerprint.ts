import type { Database } from "../../src/db/client";

/**
 * Every row of every table, in a stable order: equal fingerprints mean unchanged data. A key's
 * last_used_at is left out: using a key is meant to move it.
 */
export async function fingerprint(db: Database): Promise<string> {
  const tables = {
    tenants: "id",
    users: "id",
    api_keys: "id",
    credential_failures: "id",
    idempotency_keys: "scope, key_hash",
  };
  const parts: unknown[] = [];
  for (const [table, order] of Object.entries(tables)) {
    const statement = `select * from ${table} order by ${order}`;
    const rows: Record<string, unknown>[] =
      db.dialect === "postgres"
        ? await db.sql.unsafe<Record<string, unknown>[]>(statement)
        : db.sqlite.query<Record<string, unknown>, []>(statement).all();
    parts.push(rows.map(({ last_used_at: _, ...row }) => row));
  }
  return JSON.stringify(parts);
}
