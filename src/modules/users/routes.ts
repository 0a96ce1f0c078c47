import { Elysia, t } from "elysia";
import { type Authentication, requireTenant } from "../../http/auth";
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
import { pageOf } from "../../http/schemas";
import {
  TenantParams,
  TenantUserParams,
  User,
  UserCreate,
  UserListQuery,
  UserPage,
  UserUpdate,
  type VersionedUser,
} from "./model";
import type { UserService } from "./service";

const detail = (summary: string) => ({ summary, tags: ["Users"] });

/** A create's answer: the user with its ETag and Location. */
const created = ({ version, ...user }: VersionedUser) => ({
  status: 201 as const,
  headers: {
    etag: entityTag(user.id, version),
    location: `/tenants/${user.tenantId}/users/${user.id}`,
  },
  body: user,
});

export function userRoutes(
  users: UserService,
  authenticated: Authentication,
  requireIfMatch: boolean,
  once: IdempotentCreates,
) {
  // Every route here belongs to the tenant in the path.
  return new Elysia({ prefix: "/tenants/:tenantId/users" })
    .use(authenticated)
    .onBeforeHandle(({ principal, params }) => requireTenant(principal, params.tenantId))
    .post(
      "",
      async (context) => {
        const answer = await once(context, created, (companions) =>
          users.create(context.params.tenantId, context.body, companions),
        );
        return context.status(answer.status, answer.body);
      },
      {
        params: TenantParams,
        headers: IdempotencyHeaders,
        body: UserCreate,
        parse: "json",
        response: {
          201: User,
          ...problemResponses(401, 400, 404, 413, 415),
          ...idempotencyProblems("the email is taken in this tenant"),
        },
        detail: detail("Create a user in a tenant"),
      },
    )
    .get("", ({ params, query }) => users.list(params.tenantId, pageOf(query)), {
      params: TenantParams,
      query: UserListQuery,
      response: { 200: UserPage, ...problemResponses(401, 404, 422) },
      detail: detail("List a tenant's users, oldest first"),
    })
    .get(
      "/:id",
      async ({ params, request, set, status }) => {
        const user = tagged(set, await users.get(params.tenantId, params.id));
        if (noneMatchHits(request, set.headers.etag as string)) return status(304, undefined);
        return user;
      },
      {
        params: TenantUserParams,
        response: { 200: User, 304: NotModified, ...problemResponses(401, 404, 422) },
        detail: detail("Get a user of a tenant"),
      },
    )
    .patch(
      "/:id",
      async ({ params, body, request, set }) => {
        const expected = ifMatchVersions(request, params.id, requireIfMatch);
        return tagged(set, await users.update(params.tenantId, params.id, body, expected));
      },
      {
        params: TenantUserParams,
        body: UserUpdate,
        parse: "json",
        response: { 200: User, ...problemResponses(401, 400, 404, 409, 412, 413, 415, 422, 428) },
        detail: detail("Change a user"),
      },
    )
    .delete(
      "/:id",
      async ({ params, request, status }) => {
        const expected = ifMatchVersions(request, params.id, requireIfMatch);
        await users.remove(params.tenantId, params.id, expected);
        return status(204, undefined);
      },
      {
        params: TenantUserParams,
        response: {
          204: t.Void({ description: "Deleted" }),
          ...problemResponses(401, 404, 412, 422, 428),
        },
        detail: detail("Delete a user"),
      },
    );
}
