/** The METRICS_PORT listener (Bun only: the Workers entry has no scrape). */
import { answer, type Scraper } from "./metrics-endpoint";

/** The second listener: GET /metrics and nothing else. */
export function serveMetrics(listener: { host: string; port: number }, scrape: Scraper) {
  return Bun.serve({
    hostname: listener.host,
    port: listener.port,
    // Never shared with another process, as the API's port is under WORKERS=N.
    reusePort: false,
    fetch: (request) => {
      const { pathname } = new URL(request.url);
      if (pathname !== "/metrics") return new Response("Not Found\n", { status: 404 });
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response("Method Not Allowed\n", { status: 405, headers: { allow: "GET" } });
      }
      return answer(scrape);
    },
  });
}
