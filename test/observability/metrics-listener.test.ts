import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/harness";
import { createEmptyDatabase, postgresProblem, type TestDatabase } from "../helpers/databases";
import { LISTENING, start, watch } from "../helpers/server";

const ADMIN_TOKEN = "metrics-listener-admin-token-0123456789";
const METRICS_TOKEN = "metrics-listener-scrape-token-0123456789";
const IN_CI = process.env.CI === "true" || process.env.CI === "1";
const METRICS_URL = /metrics on (http:\/\/[^"\s]+)/;

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, connection: "close" });

/** The value of one series in a Prometheus text exposition (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "tenant-api-metrics-"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

test("METRICS_PORT: a second listener on loopback serves GET /metrics; the API's port does not", async () => {
  const server = start(cwd, {
    DATABASE_URL: `file:${join(cwd, "one.db")}`,
    ADMIN_TOKEN,
    METRICS_PORT: "0",
  });
  const stdout = watch(server.stdout);
  try {
    const url = await stdout.waitFor(LISTENING);
    const metricsUrl = await stdout.waitFor(METRICS_URL);
    expect(new URL(metricsUrl).hostname).toBe("127.0.0.1");
    expect(new URL(metricsUrl).port).not.toBe(new URL(url).port);
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${url}/tenants`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
    }
    // Without METRICS_TOKEN the API's port has no /metrics, whatever the token.
    expect((await fetch(`${url}/metrics`, { headers: bearer(ADMIN_TOKEN) })).status).toBe(404);
    const scrape = await fetch(metricsUrl);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(
      sample(text, `tenant_api_http_requests_total{method="GET",route="/tenants",status="200"}`),
    ).toBe(5);
    expect(sample(text, "tenant_api_db_migrations_pending")).toBe(0);
    expect(sample(text, "tenant_api_db_migrations_applied")).toBeGreaterThan(0);
    expect((await fetch(new URL("/", metricsUrl))).status).toBe(404);
  } finally {
    server.kill("SIGTERM");
    await server.exited;
  }
}, 20_000);

test("METRICS_PORT taken: one line and exit code 1", async () => {
  const port = freePort();
  const blocker = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
  try {
    const server = start(cwd, {
      DATABASE_URL: `file:${join(cwd, "two.db")}`,
      ADMIN_TOKEN,
      METRICS_PORT: String(port),
    });
    expect(await server.exited).toBe(1);
    expect(await new Response(server.stderr).text()).toStartWith(
      `tenant-api: cannot listen for metrics on 127.0.0.1:${port}:`,
    );
  } finally {
    blocker.stop(true);
  }
}, 20_000);

describe.skipIf(postgresProblem !== null && !IN_CI)(
  "WORKERS=2: one scrape sees both workers",
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createEmptyDatabase("postgres");
    });
    afterAll(() => database.drop());

    test("the supervisor's listener and the METRICS_TOKEN route both answer the sum of the workers", async () => {
      const server = start(cwd, {
        WORKERS: "2",
        PORT: String(freePort()),
        METRICS_PORT: String(freePort()),
        METRICS_TOKEN,
        DATABASE_URL: database.url,
        ADMIN_TOKEN,
        LOG_LEVEL: "info",
      });
      const stdout = watch(server.stdout);
      try {
        const url = await stdout.waitFor(LISTENING);
        const metricsUrl = await stdout.waitFor(METRICS_URL);
        const requests = 60;
        const responses = await Promise.all(
          Array.from({ length: requests }, () =>
            fetch(`${url}/tenants`, { headers: bearer(ADMIN_TOKEN) }),
          ),
        );
        expect(responses.map((response) => response.status)).toEqual(Array(requests).fill(200));
        // Each request on a connection of its own: the kernel spread them over both workers.
        const served = new Set(
          stdout
            .text()
            .split("\n")
            .filter((line) => line.includes('"msg":"request"'))
            .map((line) => (JSON.parse(line) as { worker: number }).worker),
        );
        expect([...served].sort()).toEqual([1, 2]);

        const series = `tenant_api_http_requests_total{method="GET",route="/tenants",status="200"}`;
        const fromListener = await (await fetch(metricsUrl)).text();
        expect(sample(fromListener, series)).toBe(requests);
        expect(sample(fromListener, "tenant_api_workers_reporting")).toBe(2);
        // Both workers read the same database: the migration count is not doubled.
        expect(sample(fromListener, "tenant_api_db_migrations_pending")).toBe(0);
        const migrations = sample(fromListener, "tenant_api_db_migrations_applied");
        expect(migrations).toBeGreaterThan(0);
        expect(sample(fromListener, `tenant_api_db_pool_connections_max{pool="write"}`)).toBe(20);

        // Whichever worker takes the scrape on the API's port asks the supervisor for the sum.
        const fromRoute = await (
          await fetch(`${url}/metrics`, { headers: bearer(METRICS_TOKEN) })
        ).text();
        expect(sample(fromRoute, series)).toBe(requests);
        expect(sample(fromRoute, "tenant_api_workers_reporting")).toBe(2);
        expect(sample(fromRoute, "tenant_api_db_migrations_applied")).toBe(migrations);
      } finally {
        server.kill("SIGTERM");
        await server.exited;
      }
    }, 30_000);
  },
);
