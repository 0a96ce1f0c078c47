import { Elysia } from "elysia";

/** Origins allowed to call the API from a browser: explicit ones, or every origin. */
export type CorsOrigins = readonly string[] | "*";

// What a page may send: the credentials, JSON, and the headers of conditional and safe retries.
const ALLOWED_HEADERS =
  "authorization, content-type, if-match, if-none-match, idempotency-key, x-request-id";
const ALLOWED_METHODS = "GET, POST, PATCH, DELETE";
// What a page may read beyond the CORS-safelisted response headers.
const EXPOSED_HEADERS = "X-Request-Id, ETag, Location, Link, Retry-After, Idempotent-Replayed";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

/**
 * CORS for the origins in CORS_ORIGINS, without credentials: a bearer token is sent by the
 * page's own code, never by the browser on its own. Preflights are answered here, before
 * authentication; another origin gets no CORS headers, so its browser refuses the answer.
 * Without origins, the plugin adds nothing at all.
 */
export function cors(origins: CorsOrigins) {
  const plugin = new Elysia({ name: "cors" });
  if (origins !== "*" && origins.length === 0) return plugin;
  const allowed = (origin: string) => origins === "*" || origins.includes(origin);
  return plugin.onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    if (origin === null || !allowed(origin)) return;
    set.headers["access-control-allow-origin"] = origins === "*" ? "*" : origin;
    // A cache must not serve one origin's answer to another.
    if (origins !== "*") set.headers.vary = "Origin";
    if (request.method !== "OPTIONS" || !request.headers.has("access-control-request-method")) {
      set.headers["access-control-expose-headers"] = EXPOSED_HEADERS;
      return;
    }
    set.headers["access-control-allow-methods"] = ALLOWED_METHODS;
    set.headers["access-control-allow-headers"] = ALLOWED_HEADERS;
    set.headers["access-control-max-age"] = PREFLIGHT_MAX_AGE_SECONDS;
    return new Response(null, { status: 204, headers: set.headers as Record<string, string> });
  });
}
