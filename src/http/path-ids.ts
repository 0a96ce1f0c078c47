import { Elysia } from "elysia";

/**
 * Every path parameter of this API is a UUID, stored in lower case: `/tenants/0190ABCD-…` finds
 * the same tenant as `/tenants/0190abcd-…`. Runs before validation, which accepts either case.
 */
export function lowerCasePathIds() {
  return new Elysia({ name: "lower-case-path-ids" }).onTransform({ as: "global" }, ({ params }) => {
    // A route without parameters has none to change (Elysia leaves them out of the context).
    for (const name in params) params[name] = params[name]?.toLowerCase();
  });
}
