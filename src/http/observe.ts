import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { Elysia } from "elysia";
import type { AppMetrics } from "../observability/metrics";
import { requestIdOf } from "./request-log";

export interface Observability {
  metrics?: AppMetrics;
  tracer?: Tracer;
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Per request: the Prometheus request metrics (method, route template, status, duration, in
 * flight) and, with a tracer, a server span that is the active span while the request runs, so
 * that query and password spans and log lines find it. An incoming `traceparent` is its parent.
 */
export function observeRequests({ metrics, tracer }: Observability) {
  const plugin = new Elysia({ name: "observe-requests" });
  if (metrics === undefined && tracer === undefined) return plugin;
  const startedAt = new WeakMap<Request, number>();
  const spans = new WeakMap<Request, Span>();
  if (tracer !== undefined) {
    // Elysia's hook around the whole fetch: the one place a context can wrap every later hook.
    plugin.wrap((fetch, request) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const span = tracer.startSpan(
        request.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            "http.request.method": request.method,
            "url.path": new URL(request.url).pathname,
          },
        },
        parent,
      );
      spans.set(request, span);
      const active = trace.setSpan(parent, span);
      return ((...args: unknown[]) =>
        context.with(active, () =>
          (fetch as (...a: unknown[]) => unknown)(...args),
        )) as typeof fetch;
    });
  }
  if (metrics !== undefined) {
    plugin.onRequest(({ request }) => {
      metrics.requestStarted();
      startedAt.set(request, performance.now());
    });
  }
  return plugin.onAfterResponse({ as: "global" }, (context) => {
    const status = typeof context.set.status === "number" ? context.set.status : 200;
    const method = context.request.method;
    // undefined when no route matched: the label then says so, the path never becomes one.
    const route = context.route as string | undefined;
    const started = startedAt.get(context.request);
    if (metrics !== undefined && started !== undefined) {
      metrics.requestFinished(method, route, status, started);
    }
    const span = spans.get(context.request);
    if (span === undefined) return;
    const principal = (context as { principal?: { tenantId?: string } }).principal;
    const tenantId =
      principal?.tenantId ?? (context.params as { tenantId?: string } | undefined)?.tenantId;
    if (route) {
      span.updateName(`${method} ${route}`);
      span.setAttribute("http.route", route);
    }
    span.setAttribute("http.response.status_code", status);
    const requestId = requestIdOf(context.set);
    if (requestId !== undefined) span.setAttribute("request.id", requestId);
    if (tenantId !== undefined) span.setAttribute("tenant.id", tenantId);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
