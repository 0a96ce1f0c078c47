import { afterAll, beforeAll, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { parseDatabaseUrl } from "../../src/config";
import { type Database, openDatabase } from "../../src/db/client";
import { createPoolUsage } from "../../src/db/pool-gate";
import { MAX_FAILURES } from "../../src/modules/credentials/service";
import { type AppMetrics, createMetrics } from "../../src/observability/metrics";
import { watchQueries } from "../../src/observability/queries";
import { describeEachDialect } from "../helpers/databases";
import { ADMIN_TOKEN, bunSide, call, testConfig } from "../helpers/http";

const METRICS_TOKEN = "metrics-test-token-0123456789abcdefghij";

/** The samples of a Prometheus text exposition: `name{labels} value` lines. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

describeEachDialect("Prometheus metrics", (database, dialect) => {
  let db: Database;
  let metrics: AppMetrics;
  let app: ReturnType<typeof createApp>;
  let tenant: { id: string; apiKey: string };
  const scrape = async () => {
    // Elysia records a response (afterResponse) just after handle() resolves.
    await Bun.sleep(5);
    const response = await call(app, "GET", "/metrics", { token: METRICS_TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    return samples(await response.body);
  };
  const value = async (series: string) => (await scrape()).get(series) ?? 0;

  beforeAll(async () => {
    metrics = createMetrics();
    const poolUsage = createPoolUsage();
    db = openDatabase(parseDatabaseUrl(database().url), {
      poolSize: 3,
      readConnections: 2,
      acquireTimeoutMs: 2_000,
      poolUsage,
      watchQuery: watchQueries(dialect === "postgres" ? "postgresql" : "sqlite", { metrics }),
    });
    if (dialect === "postgres") metrics.watchPools(poolUsage, { write: 3, read: 2 });
    const { migrations, passwords } = bunSide(db);
    metrics.watchMigrations(async () => ({ applied: migrations.length, pending: 0 }));
    app = createApp({
      db,
      migrations,
      passwords,
      config: {
        ...testConfig,
        metrics: { enabled: true, listener: undefined, token: METRICS_TOKEN },
      },
      observability: {
        metrics,
        scrape: async () => ({
          contentType: metrics.registry.contentType,
          body: await metrics.registry.metrics(),
        }),
      },
    });
    tenant = (await call(app, "POST", "/tenants", { body: { name: "Metrics", slug: "metrics" } }))
      .body;
  });
  afterAll(() => db.close());

  test("GET /metrics on the API's port answers the METRICS_TOKEN bearer only, as an unknown path otherwise", async () => {
    for (const token of [null, ADMIN_TOKEN, tenant.apiKey, `${METRICS_TOKEN}x`]) {
      const response = await call(app, "GET", "/metrics", { token });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    const withToken = await scrape();
    expect(withToken.get("tenant_api_http_requests_in_flight")).toBe(1);
  });

  test("requests are counted by method, route template and status, with a duration histogram", async () => {
    const route = `tenant_api_http_requests_total{method="GET",route="/tenants/:tenantId",status="200"}`;
    const before = await value(route);
    for (let i = 0; i < 3; i++) {
      expect((await call(app, "GET", `/tenants/${tenant.id}`)).status).toBe(200);
    }
    const after = await scrape();
    expect(after.get(route)).toBe(before + 3);
    expect(
      after.get(
        `tenant_api_http_request_duration_seconds_count{method="GET",route="/tenants/:tenantId",status="200"}`,
      ),
    ).toBe(before + 3);
    expect(
      after.get(
        `tenant_api_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/tenants/:tenantId",status="200"}`,
      ),
    ).toBe(before + 3);
    expect(
      after.get(`tenant_api_http_requests_total{method="POST",route="/tenants",status="201"}`),
    ).toBe(1);
  });

  test("1,000 distinct ids and unknown paths add no series: labels are route templates", async () => {
    // Every route and status this test will produce, once, so that the count below is stable.
    const missing = "0198b6b2-0000-7000-8000-000000000000";
    await call(app, "GET", `/tenants/${missing}`);
    await call(app, "GET", `/tenants/${missing}/users/${missing}`);
    await call(app, "GET", "/no-such-path/0");
    const seriesBefore = (await scrape()).size;
    for (let i = 0; i < 1_000; i++) {
      const id = `0198b6b2-0000-7000-8000-${String(i).padStart(12, "0")}`;
      const path =
        i % 3 === 0
          ? `/tenants/${id}`
          : i % 3 === 1
            ? `/tenants/${id}/users/${id}`
            : `/no-such-path/${i}`;
      expect((await call(app, "GET", path)).status).toBe(404);
    }
    const after = await scrape();
    expect(after.size).toBe(seriesBefore);
    const routes = new Set(
      [...after.keys()]
        .filter((series) => series.startsWith("tenant_api_http_requests_total{"))
        .map((series) => series.match(/route="([^"]*)"/)?.[1]),
    );
    expect([...routes].sort()).toEqual(
      [
        "(unmatched)",
        "/metrics",
        "/tenants",
        "/tenants/:tenantId",
        "/tenants/:tenantId/users/:id",
      ].sort(),
    );
    expect(
      after.get(`tenant_api_http_requests_total{method="GET",route="(unmatched)",status="404"}`),
    ).toBe(1 + 333);
  });

  test("queries are counted by operation with their duration; migrations applied and pending", async () => {
    const before = await scrape();
    await call(app, "PATCH", `/tenants/${tenant.id}`, { body: { name: "Metrics 2" } });
    const after = await scrape();
    const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
    expect(
      delta(`tenant_api_db_queries_total{operation="update",outcome="ok"}`),
    ).toBeGreaterThanOrEqual(1);
    expect(
      delta(`tenant_api_db_query_duration_seconds_count{operation="update",outcome="ok"}`),
    ).toBeGreaterThanOrEqual(1);
    expect(after.get("tenant_api_db_migrations_applied")).toBe(bunSide(db).migrations.length);
    expect(after.get("tenant_api_db_migrations_pending")).toBe(0);
  });

  test("credential checks by outcome: ok, invalid (401) and limited (429)", async () => {
    const email = "metrics-user@example.com";
    const password = "correct horse battery staple";
    const created = await call(app, "POST", `/tenants/${tenant.id}/users`, {
      body: { email, name: "Metrics", password },
    });
    expect(created.status).toBe(201);
    const verify = (pass: string) =>
      call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
        body: { email, password: pass },
      });
    expect((await verify(password)).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES; i++) expect((await verify("wrong")).status).toBe(401);
    expect((await verify("wrong")).status).toBe(429);
    const after = await scrape();
    expect(after.get(`tenant_api_credential_checks_total{outcome="ok"}`)).toBe(1);
    expect(after.get(`tenant_api_credential_checks_total{outcome="invalid"}`)).toBe(MAX_FAILURES);
    expect(after.get(`tenant_api_credential_checks_total{outcome="limited"}`)).toBe(1);
  });

  test("process memory, event-loop delay and garbage collections", async () => {
    let garbage: unknown[] = [];
    for (let round = 0; round < 20; round++) {
      garbage = Array.from({ length: 50_000 }, (_, i) => ({ i }));
      await Bun.sleep(1);
    }
    expect(garbage).toHaveLength(50_000);
    const after = await scrape();
    expect(after.get("process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(after.has("nodejs_eventloop_lag_p99_seconds")).toBe(true);
    expect(after.get("tenant_api_gc_collections_total")).toBeGreaterThan(0);
  });

  test.skipIf(dialect !== "postgres")(
    "PostgreSQL pool: connections in use and waiting while writes queue, acquire timeouts",
    async () => {
      // Three write connections; five slow writes: three run, two wait.
      // drizzle's queries run when awaited: Promise.resolve starts them now.
      const sleeps = Array.from({ length: 5 }, () =>
        Promise.resolve(db.orm.execute("do $$ begin perform pg_sleep(0.4); end $$")),
      );
      await Bun.sleep(150);
      const during = await scrape();
      await Promise.all(sleeps);
      expect(during.get(`tenant_api_db_pool_connections_in_use{pool="write"}`)).toBe(3);
      expect(during.get(`tenant_api_db_pool_waiting{pool="write"}`)).toBe(2);
      expect(during.get(`tenant_api_db_pool_connections_max{pool="write"}`)).toBe(3);
      expect(during.get(`tenant_api_db_pool_connections_max{pool="read"}`)).toBe(2);
      const idle = await scrape();
      expect(idle.get(`tenant_api_db_pool_connections_in_use{pool="write"}`)).toBe(0);
      expect(idle.get(`tenant_api_db_pool_waiting{pool="write"}`)).toBe(0);

      // One write connection and a 100 ms acquire timeout: the second write gives up.
      const tight = openDatabase(parseDatabaseUrl(database().url), {
        poolSize: 1,
        acquireTimeoutMs: 100,
        watchQuery: watchQueries("postgresql", { metrics }),
      });
      try {
        const slow = Promise.resolve(
          tight.orm.execute("do $$ begin perform pg_sleep(0.3); end $$"),
        );
        const refused = await Promise.resolve(tight.orm.execute("do $$ begin end $$")).catch(
          (error: unknown) => error,
        );
        await slow;
        expect((refused as { cause?: { code?: string } }).cause?.code).toBe("POOL_TIMEOUT");
      } finally {
        await tight.close();
      }
      const timedOut = await scrape();
      expect(timedOut.get(`tenant_api_db_pool_acquire_timeouts_total{pool="write"}`)).toBe(1);
      expect(timedOut.get(`tenant_api_db_queries_total{operation="other",outcome="error"}`)).toBe(
        1,
      );
    },
  );
});
