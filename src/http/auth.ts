import { Elysia } from "elysia";
import { identifyCaller, onPrimary, readsMayLag } from "../db/caller-scope";
import { parseApiKey, sameSecret, sha256 } from "../lib/tokens";
import type { ApiKeyService } from "../modules/api-keys/service";
import { ProblemError } from "./problem";

export type Principal = { kind: "admin" } | { kind: "tenant"; tenantId: string; apiKeyId: string };

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;
const unauthorized = (detail: string) => new ProblemError("unauthorized", detail);

/**
 * Who is calling: the admin token, or a tenant's API key. Every route of a module that uses this
 * plugin requires one; it runs before the body is validated, so a stranger learns nothing more.
 * With `readReplicas`, a key that a standby does not know is looked up again on the primary.
 */
export function authentication(adminToken: string, apiKeys: ApiKeyService, readReplicas = false) {
  const adminTokenDigest = sha256(adminToken);
  return new Elysia().derive(
    { as: "scoped" },
    async ({ request }): Promise<{ principal: Principal }> => {
      const header = request.headers.get("authorization");
      if (header === null) throw unauthorized("Send Authorization: Bearer <token>");
      const token = header.match(BEARER)?.[1];
      if (token === undefined)
        throw unauthorized("Malformed Authorization header: use Bearer <token>");
      if (sameSecret(token, adminTokenDigest)) {
        if (readReplicas) identifyCaller("admin");
        return { principal: { kind: "admin" } };
      }
      // Named before the key is looked up, so that a key that revoked itself reads its own write.
      const keyId = readReplicas ? parseApiKey(token)?.keyId : undefined;
      if (keyId !== undefined) identifyCaller(`key:${keyId}`);
      let key = await apiKeys.authenticate(token);
      // A key made a moment ago (by another caller) may not have reached the standby that answered.
      if (key === undefined && readReplicas && readsMayLag())
        key = await onPrimary(() => apiKeys.authenticate(token));
      if (key === undefined) throw unauthorized("Unknown or revoked token");
      return { principal: { kind: "tenant", tenantId: key.tenantId, apiKeyId: key.apiKeyId } };
    },
  );
}

export type Authentication = ReturnType<typeof authentication>;

/** Admin-only operations: a tenant key is refused outright. */
export function requireAdmin(principal: Principal): void {
  if (principal.kind !== "admin") {
    throw new ProblemError("forbidden", "This operation needs the admin token");
  }
}

/**
 * A tenant's own resources: another tenant's id answers exactly as an id that does not exist,
 * so that a key cannot learn which tenants exist.
 */
export function requireTenant(principal: Principal, tenantId: string): void {
  if (principal.kind === "tenant" && principal.tenantId !== tenantId) {
    throw new ProblemError("not_found", "Tenant not found");
  }
}
