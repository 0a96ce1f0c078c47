import { Elysia, t } from "elysia";
import { type Authentication, requireAdmin, requireTenant } from "../../http/auth";
import {
  IdempotencyHeaders,
  type IdempotentCreates,
  idempotencyProblems,
} from "../../http/idempotency";
import { problemResponses } from "../../http/problem";
import { Id, pageOf } from "../../http/schemas";
import type { TenantRow } from "./create";
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

const created = ({ tenant, apiKey }: { tenant: TenantRow; apiKey: string }) => ({
  status: 201 as const,
  headers: { location: `/tenants/${tenant.id}` },
  body: { ...tenant, apiKey },
});

export function tenantRoutes(
  tenants: TenantService,
  authenticated: Authentication,
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
      ({ principal, params }) => {
        requireTenant(principal, params.tenantId);
        return tenants.get(params.tenantId);
      },
      {
        params: TenantParams,
        response: { 200: Tenant, ...problemResponses(401, 404, 422) },
        detail: detail("Get a tenant"),
      },
    )
    .patch(
      "/:tenantId",
      ({ principal, params, body }) => {
        requireTenant(principal, params.tenantId);
        return tenants.update(params.tenantId, body);
      },
      {
        params: TenantParams,
        body: TenantUpdate,
        parse: "json",
        response: { 200: Tenant, ...problemResponses(400, 401, 404, 409, 413, 415, 422) },
        detail: detail("Change a tenant's name or slug"),
      },
    )
    .delete(
      "/:tenantId",
      async ({ principal, params, status }) => {
        requireAdmin(principal);
        await tenants.remove(params.tenantId);
        return status(204, undefined);
      },
      {
        params: TenantParams,
        response: {
          204: t.Void({ description: "Deleted" }),
          ...problemResponses(401, 403, 404, 422),
        },
        detail: detail("Delete a tenant with its users and keys (admin)"),
      },
    );
}
