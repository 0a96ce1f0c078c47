import { Elysia, t } from "elysia";
import { type Authentication, requireTenant } from "../../http/auth";
import { ifMatchVersions, tagged } from "../../http/conditional";
import { problemResponses } from "../../http/problem";
import { pageOf } from "../../http/schemas";
import type { TenantService } from "../tenants/service";
import { TenantParams } from "../users/model";
import { ApiKeyCreate, ApiKeyListQuery, ApiKeyPage, ApiKeyParams, CreatedApiKey } from "./model";
import type { ApiKeyService } from "./service";

const detail = (summary: string) => ({ summary, tags: ["API keys"] });

export function apiKeyRoutes(
  apiKeys: ApiKeyService,
  tenants: TenantService,
  authenticated: Authentication,
  requireIfMatch: boolean,
) {
  return new Elysia({ prefix: "/tenants/:tenantId/api-keys" })
    .use(authenticated)
    .post(
      "",
      async ({ principal, params, body, set, status }) => {
        requireTenant(principal, params.tenantId);
        await tenants.requireExists(params.tenantId);
        return status(201, tagged(set, await apiKeys.create(params.tenantId, body.name ?? null)));
      },
      {
        params: TenantParams,
        body: ApiKeyCreate,
        parse: "json",
        response: { 201: CreatedApiKey, ...problemResponses(400, 401, 404, 413, 415, 422) },
        detail: detail("Issue an API key for the tenant (its secret is shown once)"),
      },
    )
    .get(
      "",
      async ({ principal, params, query }) => {
        requireTenant(principal, params.tenantId);
        await tenants.requireExists(params.tenantId);
        return apiKeys.list(params.tenantId, pageOf(query));
      },
      {
        params: TenantParams,
        query: ApiKeyListQuery,
        response: { 200: ApiKeyPage, ...problemResponses(401, 404, 422) },
        detail: detail("List the tenant's API keys, never their secrets"),
      },
    )
    .delete(
      "/:keyId",
      async ({ principal, params, request, status }) => {
        requireTenant(principal, params.tenantId);
        const expected = ifMatchVersions(request, params.keyId, requireIfMatch);
        await apiKeys.revoke(params.tenantId, params.keyId, expected);
        return status(204, undefined);
      },
      {
        params: ApiKeyParams,
        response: {
          204: t.Void({ description: "Revoked" }),
          ...problemResponses(401, 404, 412, 422, 428),
        },
        detail: detail("Revoke an API key; it fails from the very next request"),
      },
    );
}
