import { Elysia } from "elysia";
import type { Logger } from "../lib/logger";

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface RequestInfo {
  id: string;
  startedAt: number;
}
// Keyed by the Request itself: the error handler and the log line find the id without a global.
const requests = new WeakMap<Request, RequestInfo>();

/** The request's id, as echoed in X-Request-Id. */
export function requestIdOf(request: Request): string | undefined {
  return requests.get(request)?.id;
}

/**
 * X-Request-Id: the client's when it is 1..128 characters of [A-Za-z0-9._-], else a new UUID;
 * echoed in the response. One log line per request, with no body, header or token in it.
 */
export function requestLog(logger: Logger) {
  const plugin = new Elysia({ name: "request-log" }).onRequest(({ request, set }) => {
    const offered = request.headers.get("x-request-id");
    const id = offered !== null && VALID_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
    requests.set(request, { id, startedAt: performance.now() });
    set.headers["x-request-id"] = id;
  });
  // Without info lines there is nothing to log: no hook, so that requests pay nothing for it.
  if (!logger.enabled("info")) return plugin;
  return plugin.onAfterResponse({ as: "global" }, (context) => {
    const info = requests.get(context.request);
    const principal = (context as { principal?: { kind: string; tenantId?: string } }).principal;
    const status = typeof context.set.status === "number" ? context.set.status : 200;
    logger.info("request", {
      requestId: info?.id,
      method: context.request.method,
      route: context.route || "(no route)",
      status,
      durationMs: info ? Math.round((performance.now() - info.startedAt) * 10) / 10 : undefined,
      tenantId: principal?.tenantId ?? null,
      principal: principal?.kind ?? null,
    });
  });
}
