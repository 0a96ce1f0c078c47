import { Elysia } from "elysia";
import type { Logger } from "../lib/logger";

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

const REQUEST_ID = "x-request-id";

/** The request's id: the X-Request-Id its response will carry. */
export function requestIdOf(set: { headers: Record<string, unknown> }): string | undefined {
  const id = set.headers[REQUEST_ID];
  return typeof id === "string" ? id : undefined;
}

/**
 * X-Request-Id: the client's when it is 1..128 characters of [A-Za-z0-9._-], else a new UUID;
 * echoed in the response. One log line per request, with no body, header or token in it.
 */
export function requestLog(logger: Logger) {
  const logging = logger.enabled("info");
  // Keyed by the Request itself, and only when there are lines to write.
  const startedAt = new WeakMap<Request, number>();
  const plugin = new Elysia({ name: "request-log" }).onRequest(({ request, set }) => {
    const offered = request.headers.get(REQUEST_ID);
    set.headers[REQUEST_ID] =
      offered !== null && VALID_REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
    if (logging) startedAt.set(request, performance.now());
  });
  // Without info lines there is nothing to log: no hook, so that requests pay nothing for it.
  if (!logging) return plugin;
  return plugin.onAfterResponse({ as: "global" }, (context) => {
    const started = startedAt.get(context.request);
    const principal = (context as { principal?: { kind: string; tenantId?: string } }).principal;
    const status = typeof context.set.status === "number" ? context.set.status : 200;
    logger.info("request", {
      requestId: requestIdOf(context.set),
      method: context.request.method,
      route: context.route || "(no route)",
      status,
      durationMs:
        started === undefined ? undefined : Math.round((performance.now() - started) * 10) / 10,
      tenantId: principal?.tenantId ?? null,
      principal: principal?.kind ?? null,
    });
  });
}
