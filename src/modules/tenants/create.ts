import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { PgColumn } from "drizzle-orm/pg-core";
import { type Companions, insertTogether } from "../../db/atomic";
import type { AppDatabase } from "../../db/client";
import { appDefaults, insertPlaceholders, pickColumns, rowDefaults } from "../../db/prepared";
import { assertUnreachable } from "../../lib/assert";
import { lazy } from "../../lib/lazy";
import { generateApiKey } from "../../lib/tokens";
import type { TenantCreateInput } from "./model";

// bun:sqlite's drizzle builders prepare statements that run synchronously, inside a SQLite
// transaction.
interface Preparable {
  prepare(): { all(params: Record<string, unknown>): unknown[] };
}

export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
  updatedAt: string;
  /** 1: the row's version, from which the ETag is made. */
  version: number;
}

/** A new tenant and its first key, shown this once. */
export interface TenantWithKey {
  tenant: TenantRow;
  apiKey: string;
}

/** The columns of a new tenant and of its first key, under placeholders of their own. */
function placeholderValues(db: AppDatabase) {
  const { tenants, apiKeys } = db.tables;
  const tenant = insertPlaceholders(tenants, ["id", "name", "slug"], "tenant_");
  const key = insertPlaceholders(apiKeys, ["keyId", "secretHash", "name"], "key_");
  // The key names its tenant by the tenant's own id placeholder.
  return { tenant, key: { ...key, tenantId: tenant.id } };
}

/**
 * Inserts a tenant and its first API key as one atomic write: no tenant is ever left without a
 * key, whatever fails or wherever the process dies. On PostgreSQL one statement (two inserts in
 * data-modifying CTEs, one round trip); on SQLite one transaction; on D1 one batch, which D1 runs
 * as a transaction. Both statements are prepared once: building their SQL cost as much as running
 * them on SQLite.
 *
 * `companions` are written in the same atomic write (insertTogether), given the tenant and its
 * key as they will be answered, which is known before the write: every value comes from the app.
 * That write is built per request.
 */
export function tenantWithKeyInserter(
  db: AppDatabase,
  columns: Record<keyof TenantRow, PgColumn>,
): (
  input: TenantCreateInput,
  keyName: string,
  companions?: Companions<TenantWithKey>,
) => Promise<TenantWithKey> {
  const { orm } = db;
  const { tenants, apiKeys } = db.tables;
  const builders = lazy(() => {
    const values = placeholderValues(db);
    return {
      tenantInsert: orm.insert(tenants).values(values.tenant).returning(columns),
      keyInsert: orm.insert(apiKeys).values(values.key).returning({ id: apiKeys.id }),
    };
  });
  const insert = lazy((): ((params: Record<string, unknown>) => Promise<unknown[]>) => {
    const { tenantInsert, keyInsert } = builders();
    if (db.dialect === "postgres") {
      const newTenant = orm.$with("new_tenant").as(tenantInsert);
      const newKey = orm.$with("new_key").as(keyInsert);
      const prepared = orm
        .with(newTenant, newKey)
        .select()
        .from(newTenant)
        .prepare("insert_tenant_with_key");
      return (params) => prepared.execute(params);
    }
    if ("d1" in db) {
      // The PostgreSQL-typed builders are D1's at run time (see Orm in src/db/client.ts). A batch
      // takes built queries, not prepared ones.
      const d1 = orm as unknown as DrizzleD1Database;
      type BatchItem = Parameters<typeof d1.batch>[0][0];
      return async (params) => {
        const tenant = orm
          .insert(tenants)
          .values(prefixed(params, "tenant_") as typeof tenants.$inferInsert)
          .returning(columns);
        const key = orm
          .insert(apiKeys)
          .values({
            ...prefixed(params, "key_"),
            tenantId: params.tenant_id,
          } as typeof apiKeys.$inferInsert)
          .returning({ id: apiKeys.id });
        const [inserted] = await d1.batch([
          tenant as unknown as BatchItem,
          key as unknown as BatchItem,
        ]);
        return inserted as unknown[];
      };
    }
    if (db.dialect === "sqlite") {
      const tenantStatement = (tenantInsert as unknown as Preparable).prepare();
      const keyStatement = (keyInsert as unknown as Preparable).prepare();
      // Synchronous, so that no other request's statement can run inside this transaction.
      const transaction = db.sqlite.transaction((params: Record<string, unknown>) => {
        const inserted = tenantStatement.all(params);
        keyStatement.all(params);
        return inserted;
      });
      return async (params) => transaction(params);
    }
    return assertUnreachable(db);
  });

  /** The same write with companions, built for this one request. */
  const insertWith = async (
    tenant: Record<string, unknown>,
    keyRow: Record<string, unknown>,
    expected: TenantWithKey,
    companions: Companions<TenantWithKey>,
  ) =>
    insertTogether(
      db,
      orm
        .insert(tenants)
        .values(tenant as typeof tenants.$inferInsert)
        .returning(columns),
      [
        orm
          .insert(apiKeys)
          .values({ ...keyRow, tenantId: tenant.id } as typeof apiKeys.$inferInsert)
          .returning({ id: apiKeys.id }),
        ...(await companions(expected)),
      ],
    );

  return async (input, keyName, companions) => {
    const tenant: Record<string, unknown> = { ...appDefaults(tenants), ...input };
    const key = generateApiKey(tenant.id as string);
    const keyRow: Record<string, unknown> = {
      ...appDefaults(apiKeys),
      keyId: key.keyId,
      secretHash: key.secretHash,
    };
    let rows: unknown[];
    if (companions === undefined) {
      const params: Record<string, unknown> = { key_name: keyName };
      for (const [name, value] of Object.entries(tenant)) params[`tenant_${name}`] = value;
      for (const [name, value] of Object.entries(keyRow)) params[`key_${name}`] = value;
      rows = await insert()(params);
    } else {
      // Every value given, the schema's defaults (version) included: the row is known before.
      const written = { ...rowDefaults(tenants), ...tenant };
      const expected = {
        tenant: pickColumns(columns, written) as unknown as TenantRow,
        apiKey: key.token,
      };
      rows = await insertWith(written, { ...keyRow, name: keyName }, expected, companions);
    }
    const [row] = rows as TenantRow[];
    if (row === undefined) throw new Error("insert returned no row");
    return { tenant: row, apiKey: key.token };
  };
}

/** The entries of `params` whose names start with `prefix`, without it. */
function prefixed(params: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params))
    if (name.startsWith(prefix)) values[name.slice(prefix.length)] = value;
  return values;
}
