import { Database as BunSqlite } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { openDatabase } from "../../src/db/client";
import { errorHandler } from "../../src/http/error-handler";
import { createLogger } from "../../src/lib/logger";
import { createTestDatabase, type TestDatabase } from "../helpers/databases";
import { buildApp, call, expectProblem } from "../helpers/http";

describe("the error handler", () => {
  const app = new Elysia()
    .use(errorHandler(createLogger("silent")))
    .get("/bad-response", () => ({ wrong: "shape" }) as unknown as { id: string }, {
      response: { 200: t.Object({ id: t.String() }) },
    })
    .get("/bug", () => {
      throw new Error("select secret_column from internal_table");
    });

  test("a response that breaks its own schema is a 500, not a 422, and says nothing of it", async () => {
    const problem = expectProblem(await call(app, "GET", "/bad-response"), 500);
    expect(JSON.stringify(problem)).not.toContain("wrong");
  });

  test("an unexpected error is a 500 without its message", async () => {
    const problem = expectProblem(await call(app, "GET", "/bug"), 500);
    expect(JSON.stringify(problem)).not.toContain("secret");
  });
});

describe("database outages", () => {
  test("PostgreSQL unreachable: database-bound requests get 503 with Retry-After", async () => {
    const db = openDatabase({ dialect: "postgres", url: "postgres://postgres@127.0.0.1:1/none" });
    try {
      const response = await call(buildApp(db), "GET", "/tenants");
      const problem = expectProblem(response, 503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(JSON.stringify(problem)).not.toContain("127.0.0.1");
    } finally {
      await db.close();
    }
  });

  describe("SQLite locked by another writer", () => {
    let database: TestDatabase;
    let other: BunSqlite;
    beforeAll(async () => {
      database = await createTestDatabase("sqlite");
      other = new BunSqlite(database.url.slice("file:".length));
    });
    afterAll(async () => {
      other.close();
      await database.drop();
    });

    test("a write that cannot get the lock within the busy timeout is a 503", async () => {
      const { db } = database;
      if (db.dialect !== "sqlite") throw new Error("expected SQLite");
      db.sqlite.exec("PRAGMA busy_timeout = 50");
      other.exec("BEGIN IMMEDIATE");
      try {
        const response = await call(buildApp(db), "POST", "/tenants", {
          body: { name: "Locked", slug: "locked" },
        });
        expectProblem(response, 503);
      } finally {
        other.exec("ROLLBACK");
        db.sqlite.exec("PRAGMA busy_timeout = 5000");
      }
      const retried = await call(buildApp(db), "POST", "/tenants", {
        body: { name: "Locked", slug: "locked" },
      });
      expect(retried.status).toBe(201);
    });
  });
});
