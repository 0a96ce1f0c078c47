import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { openDatabase } from "../../src/db/client";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../helpers/databases";
import { buildApp, call, expectProblem } from "../helpers/http";
import { createTcpProxy } from "../helpers/tcp-proxy";

let database: TestDatabase | undefined;
let proxy: ReturnType<typeof createTcpProxy> | undefined;

// Only PostgreSQL has a network to lose; describeEachDialect's skip-or-fail rule applies to it.
describeEachDialect("database outage", (_database, dialect) => {
  if (dialect !== "postgres") return;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const url = new URL(database.url);
    proxy = createTcpProxy(Number(url.port || 5432));
    url.port = String(proxy.port);
    database = { ...database, url: url.toString() };
  });
  afterAll(async () => {
    proxy?.close();
    await database?.drop();
  });

  test("PostgreSQL unreachable: 503 within 2 s, /health 200, /ready 503; recovery without a restart", async () => {
    if (database === undefined || proxy === undefined) throw new Error("not set up");
    const db = openDatabase({ dialect: "postgres", url: database.url });
    const app = buildApp(db);
    try {
      expect((await call(app, "GET", "/tenants")).status).toBe(200);

      proxy.cut();
      for (const path of ["/tenants", "/ready"]) {
        const started = performance.now();
        const response = await call(app, "GET", path);
        expect(performance.now() - started).toBeLessThan(2_000);
        expectProblem(response, 503);
      }
      expect((await call(app, "GET", "/health")).status).toBe(200);
      const write = await call(app, "POST", "/tenants", { body: { name: "Down", slug: "down" } });
      expectProblem(write, 503);

      proxy.restore();
      const restored = performance.now();
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await call(app, "GET", "/tenants")).status;
        if (status !== 200) await Bun.sleep(100);
      }
      expect(status).toBe(200);
      expect((await call(app, "GET", "/ready")).status).toBe(200);
      console.log(`recovered after ${Math.round(performance.now() - restored)} ms`);
    } finally {
      await db.close();
    }
  }, 30_000);

  /** An app on one write and one read connection, with a 1 s acquire timeout. */
  const onePlusOneConnections = () => {
    if (database === undefined || proxy === undefined) throw new Error("not set up");
    proxy.restore();
    const db = openDatabase(
      { dialect: "postgres", url: database.url },
      { poolSize: 1, readConnections: 1, acquireTimeoutMs: 1_000 },
    );
    return { db, app: buildApp(db) };
  };

  test("reads queued behind a slow read get 503 after the acquire timeout; others answer at once", async () => {
    const { db, app } = onePlusOneConnections();
    try {
      const tenant = (await call(app, "POST", "/tenants", { body: { name: "Pool", slug: "pool" } }))
        .body;
      // The one read connection runs a slow read that goes through the same client; the tenant
      // read is pipelined behind it. .then() starts it: drizzle queries are lazy until awaited.
      const slow = db.orm.execute(sql`select pg_sleep(3)`).then(() => undefined);
      await Bun.sleep(50);
      const timed = async (run: () => Promise<{ status: number }>) => {
        const started = performance.now();
        const { status } = await run();
        return { status, ms: performance.now() - started };
      };
      const [read, health, badToken, badBody] = await Promise.all([
        timed(() => call(app, "GET", `/tenants/${tenant.id}`)),
        timed(() => call(app, "GET", "/health")),
        timed(() => call(app, "GET", `/tenants/${tenant.id}`, { token: "not-a-key" })),
        timed(() =>
          call(app, "POST", "/tenants", {
            raw: "{",
            headers: { "content-type": "application/json" },
          }),
        ),
      ]);
      expect(read.status).toBe(503);
      expect(read.ms).toBeGreaterThanOrEqual(950);
      expect(read.ms).toBeLessThan(2_500);
      for (const quick of [health, badToken, badBody]) expect(quick.ms).toBeLessThan(300);
      expect([health.status, badToken.status, badBody.status]).toEqual([200, 401, 400]);
      // A slow read that has started is not cut off: it finishes.
      await slow;
      expect((await call(app, "GET", `/tenants/${tenant.id}`)).status).toBe(200);
    } finally {
      await db.close();
    }
  }, 30_000);

  test("a write waits at most the acquire timeout for a free connection, gets 503 and never lands", async () => {
    const { db, app } = onePlusOneConnections();
    try {
      // Not a plain SELECT, so it holds the one write connection.
      const slow = db.orm
        .execute(sql`do $$ begin perform pg_sleep(3); end $$`)
        .then(() => undefined);
      await Bun.sleep(50);
      const started = performance.now();
      const [write, read] = await Promise.all([
        call(app, "POST", "/tenants", { body: { name: "Late", slug: "late-write" } }),
        call(app, "GET", "/tenants?limit=1"),
      ]);
      const ms = performance.now() - started;
      expect(write.status).toBe(503);
      expect(ms).toBeGreaterThanOrEqual(950);
      expect(ms).toBeLessThan(2_500);
      // Reads have connections of their own.
      expect(read.status).toBe(200);
      await slow;
      const rows = await db.orm
        .select()
        .from(db.tables.tenants)
        .where(eq(db.tables.tenants.slug, "late-write"));
      expect(rows).toEqual([]);
    } finally {
      await db.close();
    }
  }, 30_000);

  test("a read-only primary, as one is right after a promotion (SQLSTATE 25006): writes 503 with Retry-After, reads 200", async () => {
    if (database === undefined || proxy === undefined) throw new Error("not set up");
    proxy.restore();
    const name = new URL(database.url).pathname.slice(1);
    const admin = openDatabase({ dialect: "postgres", url: database.url });
    if (admin.dialect !== "postgres") throw new Error("not PostgreSQL");
    // New sessions of this database only, as pg_auto_failover's default_transaction_read_only.
    await admin.sql.unsafe(`alter database "${name}" set default_transaction_read_only = on`);
    const db = openDatabase({ dialect: "postgres", url: database.url });
    const app = buildApp(db);
    try {
      const write = await call(app, "POST", "/tenants", {
        body: { name: "RO", slug: "read-only" },
      });
      expectProblem(write, 503);
      expect(write.headers.get("retry-after")).toBe("1");
      expect((await call(app, "GET", "/tenants?limit=1")).status).toBe(200);
    } finally {
      await admin.sql.unsafe(`alter database "${name}" reset default_transaction_read_only`);
      await Promise.all([db.close(), admin.close()]);
    }
  }, 30_000);

  test("a write whose connection is still opening at the acquire timeout gets 503 and is never sent", async () => {
    const { db, app } = onePlusOneConnections();
    if (proxy === undefined || database === undefined) throw new Error("not set up");
    try {
      // The write connection is opened by this first write, and answers only after 1.3 s: past
      // the 1 s acquire timeout, within postgres.js's 1.5 s connect timeout.
      proxy.stall(1_300);
      const started = performance.now();
      const write = await call(app, "POST", "/tenants", {
        body: { name: "Slow", slug: "withdrawn" },
      });
      const ms = performance.now() - started;
      expectProblem(write, 503);
      expect(ms).toBeGreaterThanOrEqual(950);
      expect(ms).toBeLessThan(1_300);
      await Bun.sleep(1_500);
      proxy.stall(0);
      const direct = openDatabase({
        dialect: "postgres",
        url: database.url.replace(`:${proxy.port}/`, ":5432/"),
      });
      try {
        const { tenants } = direct.tables;
        expect(
          await direct.orm.select().from(tenants).where(eq(tenants.slug, "withdrawn")),
        ).toEqual([]);
      } finally {
        await direct.close();
      }
      const later = await call(app, "POST", "/tenants", {
        body: { name: "Later", slug: "after-stall" },
      });
      expect(later.status).toBe(201);
    } finally {
      proxy.stall(0);
      await db.close();
    }
  }, 30_000);
});
