import { Elysia, t } from "elysia";
import { type Authentication, requireTenant } from "../../http/auth";
import { entityTag, ifMatchVersions } from "../../http/conditional";
import {
  IdempotencyHeaders,
  type IdempotentCreates,
  idempotencyProblems,
} from "../../http/idempotency";
import { problemResponses } from "../../http/problem";
import { pageOf } from "../../http/schemas";
import type { TenantService } from "../tenants/service";
import { TenantParams } from "../users/model";
import { ApiKeyCreate, ApiKeyListQuery, ApiKeyPage, ApiKeyParams, CreatedApiKey } from "./model";
import type { ApiKeyService, CreatedApiKeyRow } from "./service";

const detail = (summary: string) => ({ summary, tags: ["API keys"] });

/** A create's answer: the key, shown this once, with its ETag. */
const created = ({ version, ...key }: CreatedApiKeyRow) => ({
  status: 201 as const,
  headers: { etag: entityTag(key.id, version) },
  body: key,
});

export function apiKeyRoutes(
  apiKeys: ApiKeyService,
  tenants: TenantService,
  authenticated: Authentication,
  requireIfMatch: boolean,
  once: IdempotentCreates,
) {
  return new Elysia({ prefix: "/tenants/:tenantId/api-keys" })
    .use(authenticated)
    .post(
      "",
      async (context) => {
        const { principal, params, body } = context;
        requireTenant(principal, params.tenantId);
        const answer = await once(context, created, async (companions) => {
          await tenants.requireExists(params.tenantId);
          return apiKeys.create(params.tenantId, body.name ?? null, companions);
        });
        return context.status(answer.status, answer.body);
      },
      {
        params: TenantParams,
        headers: IdempotencyHeaders,
        body: ApiKeyCreate,
        parse: "json",
        response: {
          201: CreatedApiKey,
          ...problemResponses(400, 401, 404, 413, 415),
          ...idempotencyProblems(),
        },
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
