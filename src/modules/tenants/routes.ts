import { Elysia, t } from "elysia";
import { type Authentication, requireAdmin, requireTenant } from "../../http/auth";
import {
  entityTag,
  ifMatchVersions,
  NotModified,
  noneMatchHits,
  tagged,
} from "../../http/conditional";
import {
  IdempotencyHeaders,
  type IdempotentCreates,
  idempotencyProblems,
} from "../../http/idempotency";
import { problemResponses } from "../../http/problem";
import { Id, pageOf } from "../../http/schemas";
import type { TenantWithKey } from "./create";
import {
  CreatedTenant,
  Tenant,
  TenantCreate,
  TenantListQuery,
  TenantPage,
  TenantUpdate,
} from "./model";
import type { TenantService } from "./service";

// Named tenantId like the users routes below: the router needs one name per path segment.
const TenantParams = t.Object({ tenantId: Id });
const detail = (summary: string) => ({ summary, tags: ["Tenants"] });

/** A create's answer: the tenant with its ETag and Location, and its first key. */
const created = ({ tenant: { version, ...tenant }, apiKey }: TenantWithKey) => ({
  status: 201 as const,
  headers: { etag: entityTag(tenant.id, version), location: `/tenants/${tenant.id}` },
  body: { ...tenant, apiKey },
});

export function tenantRoutes(
  tenants: TenantService,
  authenticated: Authentication,
  requireIfMatch: boolean,
  once: IdempotentCreates,
) {
  return new Elysia({ prefix: "/tenants" })
    .use(authenticated)
    .post(
      "",
      async (context) => {
        requireAdmin(context.principal);
        const answer = await once(context, created, (companions) =>
          tenants.create(context.body, "initial", companions),
        );
        return context.status(answer.status, answer.body);
      },
      {
        headers: IdempotencyHeaders,
        body: TenantCreate,
        parse: "json",
        response: {
          201: CreatedTenant,
          ...problemResponses(400, 401, 403, 413, 415),
          ...idempotencyProblems("the slug is taken"),
        },
        detail: detail("Create a tenant, with its first API key (admin)"),
      },
    )
    .get(
      "",
      ({ principal, query }) => {
        requireAdmin(principal);
        return tenants.list(pageOf(query));
      },
      {
        query: TenantListQuery,
        response: { 200: TenantPage, ...problemResponses(401, 403, 422) },
        detail: detail("List tenants, oldest first (admin)"),
      },
    )
    .get(
      "/:tenantId",
      async ({ principal, params, request, set, status }) => {
        requireTenant(principal, params.tenantId);
        const tenant = tagged(set, await tenants.get(params.tenantId));
        if (noneMatchHits(request, set.headers.etag as string)) return status(304, undefined);
        return tenant;
      },
      {
        params: TenantParams,
        response: { 200: Tenant, 304: NotModified, ...problemResponses(401, 404, 422) },
        detail: detail("Get a tenant"),
      },
    )
    .patch(
      "/:tenantId",
      async ({ principal, params, body, request, set }) => {
        requireTenant(principal, params.tenantId);
        const expected = ifMatchVersions(request, params.tenantId, requireIfMatch);
        return tagged(set, await tenants.update(params.tenantId, body, expected));
      },
      {
        params: TenantParams,
        body: TenantUpdate,
        parse: "json",
        response: {
          200: Tenant,
          ...problemResponses(400, 401, 404, 409, 412, 413, 415, 422, 428),
        },
        detail: detail("Change a tenant's name or slug"),
      },
    )
    .delete(
      "/:tenantId",
      async ({ principal, params, request, status }) => {
        requireAdmin(principal);
        const expected = ifMatchVersions(request, params.tenantId, requireIfMatch);
        await tenants.remove(params.tenantId, expected);
        return status(204, undefined);
      },
      {
        params: TenantParams,
        response: {
          204: t.Void({ description: "Deleted" }),
          ...problemResponses(401, 403, 404, 412, 422, 428),
        },
        detail: detail("Delete a tenant with its users and keys (admin)"),
      },
    );
}
