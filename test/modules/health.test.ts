import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createApp } from "../../src/app";
import { parseDatabaseUrl } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { migrationsFolder, readMigrations } from "../../src/db/migrations/files";
import {
  createEmptyDatabase,
  describeEachDialectAndPgbouncer,
  type TestDatabase,
} from "../helpers/databases";
import { buildApp, bunSide, call, expectProblem, testConfig } from "../helpers/http";

describeEachDialectAndPgbouncer("health and readiness", (database, dialect) => {
  const newestTag = readMigrations(migrationsFolder(dialect)).at(-1)?.tag;

  test("GET /health answers 200 ok", async () => {
    const response = await call(buildApp(database().db), "GET", "/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  test("GET /ready names the dialect and the last applied migration", async () => {
    const response = await call(buildApp(database().db), "GET", "/ready");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ready", database: dialect, migration: newestTag });
  });

  // A read pool stuck behind a reply that never comes (as behind a transaction pooler with
  // prepared statements on) must not pass for ready while the write pool still answers.
  test.if(dialect === "postgres")(
    "GET /ready answers 503 while the read connections cannot serve, though the write pool can",
    async () => {
      const { url, prepare } = database();
      const db = openDatabase(parseDatabaseUrl(url), { prepare, readConnections: 1 });
      try {
        const app = buildApp(db);
        expect((await call(app, "GET", "/ready")).status).toBe(200);
        // A read, on the one read connection, for longer than /ready waits (then() sends it).
        const slow = db.orm.execute(sql`select pg_sleep(3)`).then(() => {});
        await Bun.sleep(100);
        if (db.dialect !== "postgres") throw new Error("PostgreSQL only");
        expect((await db.sql`select 1 as up`)[0]?.up).toBe(1);
        const problem = expectProblem(await call(app, "GET", "/ready"), 503);
        expect(problem.detail).toBe("The database does not answer");
        await slow;
        expect((await call(app, "GET", "/ready")).status).toBe(200);
      } finally {
        await db.close();
      }
    },
    15_000,
  );

  test("GET /ready answers 503 once the server is stopping, while /health stays 200", async () => {
    const stopping = new AbortController();
    const { db } = database();
    const app = createApp({ ...bunSide(db), db, config: testConfig, shutdown: stopping.signal });
    expect((await call(app, "GET", "/ready")).status).toBe(200);
    stopping.abort();
    expect(expectProblem(await call(app, "GET", "/ready"), 503).detail).toContain("shutting down");
    expect((await call(app, "GET", "/health")).status).toBe(200);
  });

  describe("with migrations pending", () => {
    let empty: TestDatabase;
    beforeAll(async () => {
      empty = await createEmptyDatabase(dialect);
    });
    afterAll(() => empty.drop());

    test("GET /ready answers 503 naming them, while /health stays 200", async () => {
      const app = buildApp(empty.db);
      const problem = expectProblem(await call(app, "GET", "/ready"), 503);
      expect(problem.detail).toContain(newestTag ?? "no migrations");
      expect((await call(app, "GET", "/health")).status).toBe(200);
    });
  });

  test("GET /ready answers 503 within 3 s when the database is unreachable", async () => {
    const unreachable =
      dialect === "postgres"
        ? openDatabase({ dialect, url: "postgres://postgres@127.0.0.1:1/none" })
        : await (async () => {
            const closed = await createEmptyDatabase("sqlite");
            await closed.drop();
            return closed.db;
          })();
    const app = buildApp(unreachable);
    const started = performance.now();
    const response = await call(app, "GET", "/ready");
    expect(performance.now() - started).toBeLessThan(3_000);
    const problem = expectProblem(response, 503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|closed/i);
    expect((await call(app, "GET", "/health")).status).toBe(200);
    await unreachable.close().catch(() => {});
  });
});
