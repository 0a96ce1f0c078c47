import type { StaticDecode } from "@sinclair/typebox";
import { createInsertSchema, createSelectSchema } from "drizzle-typebox";
import { t } from "elysia";
import { pgTenants } from "../../db/schema";
import { PageQuery, page, queryObject, Timestamp, trimmedText } from "../../http/schemas";
import { Text } from "../../http/text";

const SLUG_PATTERN = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";

const TenantRow = createSelectSchema(pgTenants, {
  name: ({ maxLength }) => Text({ maxLength }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// The version is the ETag's (src/http/conditional.ts), not the body's.
export const Tenant = t.Omit(TenantRow, ["version"]);

const TenantInsert = createInsertSchema(pgTenants, {
  name: trimmedText,
  slug: (column) =>
    t.String({
      ...column,
      pattern: SLUG_PATTERN,
      description: "Lower-case letters, digits and inner hyphens; 1..63 characters",
    }),
});

export const TenantCreate = t.Pick(TenantInsert, ["name", "slug"], { additionalProperties: false });

export const TenantUpdate = t.Partial(TenantCreate, {
  additionalProperties: false,
  minProperties: 1,
});

export const CreatedTenant = t.Composite([
  Tenant,
  t.Object({
    apiKey: t.String({ description: "The tenant's first API key. Shown once: store it now" }),
  }),
]);

export const TenantPage = page(Tenant);

export const TenantListQuery = queryObject(PageQuery);

export type TenantCreateInput = StaticDecode<typeof TenantCreate>;
export type TenantUpdateInput = StaticDecode<typeof TenantUpdate>;
