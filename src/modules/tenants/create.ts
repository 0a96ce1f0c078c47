import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { AppDatabase } from "../../db/client";
import { appDefaults } from "../../db/prepared";
import { assertUnreachable } from "../../lib/assert";
import { generateApiKey } from "../../lib/tokens";
import type { TenantCreateInput } from "./model";

// What bun:sqlite's drizzle builders run synchronously, inside a SQLite transaction.
interface SyncQuery {
  all(): unknown[];
}

export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Inserts a tenant and its first API key as one atomic write: no tenant is ever left without a
 * key, whatever fails or wherever the process dies. On PostgreSQL one statement (two inserts in
 * data-modifying CTEs, one round trip); on SQLite one transaction; on D1 one batch, which D1 runs
 * as a transaction.
 */
export async function insertTenantWithKey(
  db: AppDatabase,
  columns: Record<keyof TenantRow, PgColumn>,
  input: TenantCreateInput,
  keyName: string,
): Promise<{ tenant: TenantRow; keyId: string; apiKey: string }> {
  const { orm } = db;
  const { tenants, apiKeys } = db.tables;
  const tenantValues = { ...appDefaults(tenants), ...input } as typeof tenants.$inferInsert;
  const tenantId = tenantValues.id as string;
  const key = generateApiKey(tenantId);
  const keyValues = {
    ...appDefaults(apiKeys),
    tenantId,
    keyId: key.keyId,
    secretHash: key.secretHash,
    name: keyName,
  } as typeof apiKeys.$inferInsert;
  const tenantInsert = orm.insert(tenants).values(tenantValues).returning(columns);
  const keyInsert = orm.insert(apiKeys).values(keyValues).returning({ id: apiKeys.id });

  let rows: unknown[];
  if (db.dialect === "postgres") {
    const newTenant = orm.$with("new_tenant").as(tenantInsert);
    const newKey = orm.$with("new_key").as(keyInsert);
    rows = await orm.with(newTenant, newKey).select().from(newTenant);
  } else if ("d1" in db) {
    // The PostgreSQL-typed builders are D1's at run time (see Orm in src/db/client.ts).
    const d1 = orm as unknown as DrizzleD1Database;
    const [inserted] = await d1.batch([
      tenantInsert as unknown as Parameters<typeof d1.batch>[0][0],
      keyInsert as unknown as Parameters<typeof d1.batch>[0][0],
    ]);
    rows = inserted as unknown[];
  } else if (db.dialect === "sqlite") {
    // Synchronous, so that no other request's statement can run inside this transaction.
    rows = db.sqlite.transaction(() => {
      const inserted = (tenantInsert as unknown as SyncQuery).all();
      (keyInsert as unknown as SyncQuery).all();
      return inserted;
    })();
  } else {
    return assertUnreachable(db);
  }
  const [tenant] = rows as TenantRow[];
  if (tenant === undefined) throw new Error("insert returned no row");
  return { tenant, keyId: keyValues.id as string, apiKey: key.token };
}
