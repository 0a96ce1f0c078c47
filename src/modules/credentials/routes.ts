import { Elysia, t } from "elysia";
import { type Authentication, requireTenant } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { Text } from "../../http/text";
import type { TenantService } from "../tenants/service";
import { TenantParams, User } from "../users/model";
import type { CredentialService } from "./service";

const CredentialCheck = t.Object(
  {
    email: Text({ maxLength: 254, error: "must be at most 254 characters" }),
    password: Text({
      minLength: 1,
      maxLength: 256,
      writeOnly: true,
      error: "must be 1 to 256 characters",
    }),
  },
  { additionalProperties: false },
);

export function credentialRoutes(
  credentials: CredentialService,
  tenants: TenantService,
  authenticated: Authentication,
) {
  return new Elysia({ prefix: "/tenants/:tenantId/credentials" }).use(authenticated).post(
    "/verify",
    async ({ principal, params, body }) => {
      requireTenant(principal, params.tenantId);
      await tenants.requireExists(params.tenantId);
      return credentials.verify(params.tenantId, body.email, body.password);
    },
    {
      params: TenantParams,
      body: CredentialCheck,
      parse: "json",
      response: { 200: User, ...problemResponses(400, 401, 404, 413, 415, 422, 429) },
      detail: {
        summary:
          "Check a user's email and password: 200 with the user when they match an active user",
        tags: ["Users"],
      },
    },
  );
}
