import { Elysia, t } from "elysia";
import { problemResponses } from "../../http/problem";
import { Id } from "../../http/schemas";
import { Tenant, TenantCreate, TenantListQuery, TenantPage, TenantUpdate } from "./model";
import type { TenantService } from "./service";

// Named tenantId like the users routes below: the router needs one name per path segment.
const TenantParams = t.Object({ tenantId: Id });
const detail = (summary: string) => ({ summary, tags: ["Tenants"] });

export function tenantRoutes(tenants: TenantService) {
  return new Elysia({ prefix: "/tenants" })
    .post(
      "",
      async ({ body, set, status }) => {
        const tenant = await tenants.create(body);
        set.headers.location = `/tenants/${tenant.id}`;
        return status(201, tenant);
      },
      {
        body: TenantCreate,
        parse: "json",
        response: { 201: Tenant, ...problemResponses(400, 409, 413, 415, 422) },
        detail: detail("Create a tenant"),
      },
    )
    .get("", ({ query }) => tenants.list(query), {
      query: TenantListQuery,
      response: { 200: TenantPage, ...problemResponses(422) },
      detail: detail("List tenants, oldest first"),
    })
    .get("/:tenantId", ({ params }) => tenants.get(params.tenantId), {
      params: TenantParams,
      response: { 200: Tenant, ...problemResponses(404, 422) },
      detail: detail("Get a tenant"),
    })
    .patch("/:tenantId", ({ params, body }) => tenants.update(params.tenantId, body), {
      params: TenantParams,
      body: TenantUpdate,
      parse: "json",
      response: { 200: Tenant, ...problemResponses(400, 404, 409, 413, 415, 422) },
      detail: detail("Change a tenant's name or slug"),
    })
    .delete(
      "/:tenantId",
      async ({ params, status }) => {
        await tenants.remove(params.tenantId);
        return status(204, undefined);
      },
      {
        params: TenantParams,
        response: { 204: t.Void({ description: "Deleted" }), ...problemResponses(404, 422) },
        detail: detail("Delete a tenant and all of its users"),
      },
    );
}
