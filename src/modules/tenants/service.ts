import { asc, eq, gt, sql } from "drizzle-orm";
import type { AppDatabase } from "../../db/client";
import { definedEntries, perKeySet, placeholders, withRowMapper } from "../../db/prepared";
import { ProblemError } from "../../http/problem";
import { lazy } from "../../lib/lazy";
import { DEFAULT_PAGE_SIZE, decodeCursor, type PageRequest, toPage } from "../../lib/pagination";
import { tenantWithKeyInserter } from "./create";
import type { TenantCreateInput, TenantUpdateInput } from "./model";

export type TenantService = ReturnType<typeof createTenantService>;

const tenantNotFound = () => new ProblemError("not_found", "Tenant not found");

export function createTenantService(db: AppDatabase) {
  const { orm } = db;
  const { tenants } = db.tables;
  // Explicit columns, so that a column added to the table never leaks into responses unnoticed.
  const columns = {
    id: tenants.id,
    name: tenants.name,
    slug: tenants.slug,
    createdAt: tenants.createdAt,
    updatedAt: tenants.updatedAt,
  };

  // Prepared once: the hot reads of every tenant-scoped request.
  const tenantById = lazy(() =>
    withRowMapper(
      orm
        .select(columns)
        .from(tenants)
        .where(eq(tenants.id, sql.placeholder("id")))
        .prepare("tenant_by_id"),
      columns,
    ),
  );
  const tenantExists = lazy(() =>
    orm
      .select({ id: tenants.id })
      .from(tenants)
      .where(eq(tenants.id, sql.placeholder("id")))
      .prepare("tenant_exists"),
  );

  const insertTenantWithKey = tenantWithKeyInserter(db, columns);
  const updateTenant = perKeySet((keys) =>
    withRowMapper(
      orm
        .update(tenants)
        .set(placeholders([...keys, "updatedAt"]))
        .where(eq(tenants.id, sql.placeholder("id")))
        .returning(columns)
        .prepare(`update_tenant_${keys.join("_")}`),
      columns,
    ),
  );

  return {
    /** A tenant with its first API key, in one atomic write; `apiKey` is shown only now. */
    create(input: TenantCreateInput, keyName: string) {
      return insertTenantWithKey(input, keyName);
    },

    async list({ limit = DEFAULT_PAGE_SIZE, cursor }: PageRequest) {
      const rows = await orm
        .select(columns)
        .from(tenants)
        .where(cursor === undefined ? undefined : gt(tenants.id, decodeCursor(cursor)))
        .orderBy(asc(tenants.id))
        .limit(limit + 1);
      return toPage(rows, limit);
    },

    async get(id: string) {
      const [tenant] = await tenantById().execute({ id });
      if (tenant === undefined) throw tenantNotFound();
      return tenant;
    },

    /** Throws the tenant's 404 unless it exists. */
    async requireExists(id: string): Promise<void> {
      const [row] = await tenantExists().execute({ id });
      if (row === undefined) throw tenantNotFound();
    },

    async update(id: string, patch: TenantUpdateInput) {
      const values = definedEntries(patch);
      const [tenant] = await updateTenant(Object.keys(values)).execute({
        ...values,
        updatedAt: new Date().toISOString(),
        id,
      });
      if (tenant === undefined) throw tenantNotFound();
      return tenant;
    },

    async remove(id: string): Promise<void> {
      const deleted = await orm
        .delete(tenants)
        .where(eq(tenants.id, id))
        .returning({ id: tenants.id });
      if (deleted.length === 0) throw tenantNotFound();
    },
  };
}
