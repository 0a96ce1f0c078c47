import { Elysia } from "elysia";
import { enterCallerScope } from "../db/caller-scope";

// Methods that change nothing: their reads may go to a standby.
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * With standbys (DATABASE_READ_URL), opens each request's caller scope (src/db/caller-scope.ts):
 * the reads of a request that may write go to the primary, so that what it checks before writing
 * is current. Authentication names the caller (auth.ts). Without standbys it adds nothing.
 */
export function readRouting(enabled: boolean) {
  const plugin = new Elysia();
  if (!enabled) return plugin;
  return plugin.onRequest(({ request }) => {
    enterCallerScope(!READ_METHODS.has(request.method));
  });
}
