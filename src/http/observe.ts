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

export interface Observability {
  metrics?: AppMetrics;
  tracer?: Tracer;
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/** What the hooks learn of a request on its way, kept on the Request for the end of its fetch. */
const SEEN = Symbol("observed request");
interface Seen {
  route?: string;
  tenantId?: string;
}
type Observed = Request & { [SEEN]?: Seen };

const seen = (request: Request): Seen => {
  const observed = request as Observed;
  observed[SEEN] ??= {};
  return observed[SEEN];
};

type Fetch = (...args: unknown[]) => Response | Promise<Response>;

/**
 * Per request: the Prometheus request metrics (method, route template, status, duration, in
 * flight) and, with a tracer, a server span that is the active span while the request runs, so
 * that query and password spans and log lines find it; an incoming `traceparent` is its parent.
 * Both are taken around Elysia's whole fetch (its `wrap`): an afterResponse hook would cost every
 * request about 2 µs of scheduling, more than the metrics themselves. The route template is
 * noted once a route matched (parse, transform); a request that matched none has no template and
 * is labelled as such, never by its path.
 */
export function observeRequests({ metrics, tracer }: Observability) {
  const plugin = new Elysia({ name: "observe-requests" });
  if (metrics === undefined && tracer === undefined) return plugin;

  const finish = (
    request: Request,
    startedAt: number,
    span: Span | undefined,
    status: number,
    response?: Response,
  ) => {
    const { route, tenantId } = (request as Observed)[SEEN] ?? {};
    metrics?.requestFinished(request.method, route, status, startedAt);
    if (span === undefined) return;
    if (route !== undefined) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute("http.route", route);
    }
    span.setAttribute("http.response.status_code", status);
    const requestId = response?.headers.get("x-request-id");
    if (requestId) span.setAttribute("request.id", requestId);
    if (tenantId !== undefined) span.setAttribute("tenant.id", tenantId);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };

  plugin
    .wrap((wrapped, request) => {
      // Elysia types its higher-order functions loosely: this one wraps the fetch of a request.
      const fetch = wrapped as unknown as Fetch;
      return ((...args: unknown[]) => {
        const startedAt = performance.now();
        metrics?.requestStarted();
        let span: Span | undefined;
        let result: Response | Promise<Response>;
        try {
          if (tracer === undefined) {
            result = fetch(...args);
          } else {
            const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
            span = tracer.startSpan(
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
            result = context.with(trace.setSpan(parent, span), () => fetch(...args));
          }
        } catch (error) {
          finish(request, startedAt, span, 500);
          throw error;
        }
        if (!(result instanceof Promise)) {
          finish(request, startedAt, span, result.status, result);
          return result;
        }
        return result.then(
          (response) => {
            finish(request, startedAt, span, response.status, response);
            return response;
          },
          (error: unknown) => {
            finish(request, startedAt, span, 500);
            throw error;
          },
        );
      }) as unknown as typeof wrapped;
    })
    // Parsing comes before transform: a body that fails to parse keeps its route. Returning
    // nothing leaves the body to the parsers after this one (src/http/json-body.ts).
    .onParse({ as: "global" }, ({ request, route }) => {
      seen(request).route = route;
    })
    .onTransform({ as: "global" }, ({ request, route }) => {
      seen(request).route = route;
    });
  // The tenant, for spans only: known once the handler ran, or when an error is answered. An
  // onError hook costs every request about 3 µs, so metrics alone do without it.
  if (tracer === undefined) return plugin;
  return plugin
    .onAfterHandle({ as: "global" }, (context) => {
      seen(context.request).tenantId = tenantOf(context);
    })
    .onError({ as: "global" }, (context) => {
      seen(context.request).tenantId ??= tenantOf(context);
    });
}

/** The tenant a request acts for: its API key's, or the one its path names (the admin's calls). */
function tenantOf(context: object): string | undefined {
  const { principal, params } = context as {
    principal?: { tenantId?: string };
    params?: { tenantId?: string };
  };
  return principal?.tenantId ?? params?.tenantId;
}
