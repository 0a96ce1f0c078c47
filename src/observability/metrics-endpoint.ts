/**
 * Where Prometheus scrapes GET /metrics: a listener of its own (METRICS_PORT, on loopback unless
 * METRICS_HOST says otherwise), and/or the API's port for the METRICS_TOKEN bearer only. Never
 * the API's port unprotected.
 */
import { Elysia, NotFoundError } from "elysia";
import { sameSecret, sha256 } from "../lib/tokens";

export interface Scrape {
  contentType: string;
  body: string;
}
export type Scraper = () => Promise<Scrape>;

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

export async function answer(scrape: Scraper): Promise<Response> {
  const { contentType, body } = await scrape();
  return new Response(body, { headers: { "content-type": contentType } });
}

/** GET /metrics on the API's port, for the METRICS_TOKEN bearer only. */
export function metricsRoute(token: string, scrape: Scraper) {
  const digest = sha256(token);
  return new Elysia({ name: "metrics-route" }).get(
    "/metrics",
    async ({ request }) => {
      const offered = request.headers.get("authorization")?.match(BEARER)?.[1];
      // Answered as a path that does not exist: the endpoint gives nothing away.
      if (offered === undefined || !sameSecret(offered, digest)) throw new NotFoundError();
      return answer(scrape);
    },
    { detail: { hide: true } },
  );
}
