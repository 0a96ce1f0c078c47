import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Companions } from "../../db/atomic";
import type { AppDatabase } from "../../db/client";
import { definedEntries, perKeySet, placeholders, withRowMapper } from "../../db/prepared";
import { preconditionFailed } from "../../http/conditional";
import { ProblemError } from "../../http/problem";
import { lazy } from "../../lib/lazy";
import { DEFAULT_PAGE_SIZE, decodeCursor, type PageRequest, toPage } from "../../lib/pagination";
import { type TenantWithKey, tenantWithKeyInserter } from "./create";
import type { TenantCreateInput, TenantUpdateInput } from "./model";

export type TenantService = ReturnType<typeof createTenantService>;

const tenantNotFound = () => new ProblemError("not_found", "Tenant not found");

export function createTenantService(db: AppDatabase) {
  const { orm } = db;
  const { tenants } = db.tables;
  // Explicit columns, so that a column added to the table never leaks into responses unnoticed.
  const pageColumns = {
    id: tenants.id,
    name: tenants.name,
    slug: tenants.slug,
    createdAt: tenants.createdAt,
    updatedAt: tenants.updatedAt,
  };
  // A single tenant comes with its row's version, from which the routes make the ETag.
  const columns = { ...pageColumns, version: tenants.version };
  const changed = { version: sql`${tenants.version} + 1` };

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
        .set({ ...placeholders([...keys, "updatedAt"]), ...changed })
        .where(eq(tenants.id, sql.placeholder("id")))
        .returning(columns)
        .prepare(`update_tenant_${keys.join("_")}`),
      columns,
    ),
  );
  // The same, changing the row only at the version an If-Match tag names.
  const updateTenantAt = perKeySet((keys) =>
    withRowMapper(
      orm
        .update(tenants)
        .set({ ...placeholders([...keys, "updatedAt"]), ...changed })
        .where(
          and(
            eq(tenants.id, sql.placeholder("id")),
            eq(tenants.version, sql.placeholder("expectedVersion")),
          ),
        )
        .returning(columns)
        .prepare(`update_tenant_at_version_${keys.join("_")}`),
      columns,
    ),
  );

  /** Why a conditional write changed no row: the tenant is gone (404), or at another version (412). */
  const unchangedTenant = async (id: string) => {
    const [row] = await tenantExists().execute({ id });
    return row === undefined ? tenantNotFound() : preconditionFailed("tenant");
  };

  return {
    /** A tenant with its first API key, in one atomic write; `apiKey` is shown only now. */
    create(input: TenantCreateInput, keyName: string, companions?: Companions<TenantWithKey>) {
      return insertTenantWithKey(input, keyName, companions);
    },

    async list({ limit = DEFAULT_PAGE_SIZE, cursor }: PageRequest) {
      const rows = await orm
        .select(pageColumns)
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

    /**
     * Changes the tenant; with `expectedVersions` (from If-Match) only while its version is one of
     * them, compared in the UPDATE itself so that of two writers with the same tag one fails.
     */
    async update(id: string, patch: TenantUpdateInput, expectedVersions?: readonly number[]) {
      if (expectedVersions?.length === 0) throw await unchangedTenant(id);
      const values = definedEntries(patch);
      const keys = Object.keys(values);
      const parameters = { ...values, updatedAt: new Date().toISOString(), id };
      const [expectedVersion, ...otherVersions] = expectedVersions ?? [];
      const [tenant] = await (expectedVersion === undefined
        ? updateTenant(keys).execute(parameters)
        : otherVersions.length === 0
          ? updateTenantAt(keys).execute({ ...parameters, expectedVersion })
          : orm
              .update(tenants)
              .set({ ...values, updatedAt: parameters.updatedAt, ...changed })
              .where(
                and(eq(tenants.id, id), inArray(tenants.version, [...(expectedVersions ?? [])])),
              )
              .returning(columns));
      if (tenant === undefined) {
        throw expectedVersions === undefined ? tenantNotFound() : await unchangedTenant(id);
      }
      return tenant;
    },

    /** Deletes the tenant, its users and keys; with `expectedVersions` as update does. */
    async remove(id: string, expectedVersions?: readonly number[]): Promise<void> {
      if (expectedVersions?.length === 0) throw await unchangedTenant(id);
      const deleted = await orm
        .delete(tenants)
        .where(
          and(
            eq(tenants.id, id),
            expectedVersions === undefined
              ? undefined
              : inArray(tenants.version, [...expectedVersions]),
          ),
        )
        .returning({ id: tenants.id });
      if (deleted.length > 0) return;
      throw expectedVersions === undefined ? tenantNotFound() : await unchangedTenant(id);
    },
  };
}
