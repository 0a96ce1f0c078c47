import { Elysia } from "elysia";

const isPageWithNext = (value: unknown): value is { nextCursor: string } =>
  typeof value === "object" &&
  value !== null &&
  "nextCursor" in value &&
  typeof value.nextCursor === "string";

/**
 * `Link: <…>; rel="next"` (RFC 8288) on every page that has a next one, beside its nextCursor:
 * the request's own path and query with the cursor replaced. The reference is relative, so it
 * never repeats a Host header the client sent.
 */
export function pageLinks() {
  return new Elysia({ name: "page-links" }).onAfterHandle({ as: "global" }, (context) => {
    const body = (context as { response?: unknown }).response;
    if (!isPageWithNext(body)) return;
    const url = new URL(context.request.url);
    url.searchParams.set("cursor", body.nextCursor);
    context.set.headers.link = `<${url.pathname}${url.search}>; rel="next"`;
  });
}
