import { afterAll, beforeAll, expect, test } from "bun:test";
import { createBaseline } from "../../bench/baseline";
import {
  ADMIN_TOKEN,
  SCENARIOS,
  type ScenarioRequest,
  type Seeded,
  scenarioRequest,
  seed,
  toRequest,
} from "../../bench/workload";
import { describeEachDialect } from "../helpers/databases";
import { buildApp, type TestApp } from "../helpers/http";

type Handler = (request: Request) => Promise<Response>;

/** What a client sees of a response: status, header names, body. */
async function send(handle: Handler, request: ScenarioRequest) {
  const response = await handle(toRequest(request));
  return {
    status: response.status,
    headers: [...response.headers.keys()].sort(),
    contentType: response.headers.get("content-type"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Values a second write cannot repeat: new ids, slugs, keys and times. */
const VOLATILE = new Set(["id", "slug", "apiKey", "createdAt", "updatedAt"]);
const stable = (body: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, VOLATILE.has(key) ? typeof value : value]),
  );

// The benchmark compares like with like only if the baseline answers its requests as the app does.
describeEachDialect("bench baseline", (database) => {
  let app: TestApp;
  let baseline: ReturnType<typeof createBaseline>;
  let seeded: Seeded;

  beforeAll(async () => {
    seeded = await seed(database().db, 3);
    app = buildApp(database().db, { adminToken: ADMIN_TOKEN });
    baseline = createBaseline(database().url, ADMIN_TOKEN);
  });
  afterAll(() => baseline.close());

  for (const scenario of SCENARIOS) {
    test(`${scenario}: the app's status, headers and body`, async () => {
      const request = scenarioRequest(scenario, seeded, "parity");
      const ours = await send((r) => app.handle(r), request);
      // A second create needs a slug of its own; a second rename of the same user is fine.
      const again =
        scenario === "POST tenant" ? scenarioRequest(scenario, seeded, "parity") : request;
      const theirs = await send(baseline.fetch, again);

      expect(ours.status).toBeLessThan(300);
      expect(theirs.status).toBe(ours.status);
      expect(theirs.headers).toEqual(ours.headers);
      expect(theirs.contentType).toBe(ours.contentType);
      if (scenario.startsWith("GET users page")) {
        expect(theirs.body.data).toEqual(ours.body.data);
      } else if (scenario.startsWith("GET")) {
        expect(theirs.body).toEqual(ours.body);
      } else {
        expect(stable(theirs.body)).toEqual(stable(ours.body));
      }
    });
  }
});
