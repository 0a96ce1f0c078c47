import { beforeAll, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { createApp } from "../../src/app";
import { errorHandler } from "../../src/http/error-handler";
import { requestLog } from "../../src/http/request-log";
import { createLogger } from "../../src/lib/logger";
import { describeEachDialect } from "../helpers/databases";
import { ADMIN_TOKEN, bunSide, call, testConfig } from "../helpers/http";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDialect("request ids and request logs", (database) => {
  const lines: string[] = [];
  let app: ReturnType<typeof createApp>;
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(() => {
    const logger = createLogger("info", { sink: (line) => lines.push(line), pretty: false });
    const { db } = database();
    app = createApp({ ...bunSide(db), db, config: testConfig, logger });
  });

  test("a valid X-Request-Id is echoed; anything else is replaced by a new UUID", async () => {
    const kept = await call(app, "GET", "/health", { headers: { "x-request-id": "edge-1.2_3" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-1.2_3");
    for (const offered of ["", "x".repeat(129), "has space", "naïve", "a/b"]) {
      const replaced = await call(app, "GET", "/health", { headers: { "x-request-id": offered } });
      expect(replaced.headers.get("x-request-id")).toMatch(UUID);
    }
    expect((await call(app, "GET", "/health")).headers.get("x-request-id")).toMatch(UUID);
  });

  test("problem bodies carry the request id", async () => {
    const response = await call(app, "GET", "/tenants/not-a-uuid", {
      headers: { "x-request-id": "find-me" },
    });
    expect(response.body.requestId).toBe("find-me");
    expect(response.headers.get("x-request-id")).toBe("find-me");
  });

  test("one line per request: method, route template, status, duration, request id, tenant", async () => {
    const tenant = (
      await call(app, "POST", "/tenants", {
        body: { name: "Log", slug: "log" },
        headers: { "x-request-id": "admin-create" },
      })
    ).body;
    await call(app, "GET", `/tenants/${tenant.id}`, {
      token: tenant.apiKey,
      headers: { "x-request-id": "tenant-read" },
    });
    await Bun.sleep(50);
    const linesOf = (id: string) =>
      entries().filter((entry) => entry.msg === "request" && entry.requestId === id);
    expect(linesOf("admin-create")).toHaveLength(1);
    expect(linesOf("tenant-read")).toHaveLength(1);
    expect(linesOf("tenant-read")[0]).toMatchObject({
      level: "info",
      method: "GET",
      route: "/tenants/:tenantId",
      status: 200,
      tenantId: tenant.id,
      principal: "tenant",
    });
    expect(linesOf("tenant-read")[0]?.durationMs).toEqual(expect.any(Number));
    expect(linesOf("admin-create")[0]).toMatchObject({
      method: "POST",
      route: "/tenants",
      status: 201,
      principal: "admin",
    });
  });

  test("no token, API key, password or body ever reaches the log", async () => {
    lines.length = 0;
    const password = "my very secret password";
    const tenant = (
      await call(app, "POST", "/tenants", { body: { name: "Secret", slug: "secret" } })
    ).body;
    const key = (await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: { name: "k" } }))
      .body.apiKey;
    await call(app, "POST", `/tenants/${tenant.id}/users`, {
      token: key,
      body: { email: "secret@example.com", name: "Body Name Marker", password },
    });
    await call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
      body: { email: "secret@example.com", password },
    });
    await call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
      body: { email: "secret@example.com", password: `${password}!` },
    });
    await call(app, "GET", "/tenants", { token: `${key}x` });
    await call(app, "PATCH", `/tenants/${tenant.id}/users/${crypto.randomUUID()}`, {
      body: { password },
    });
    await Bun.sleep(20);
    const everything = lines.join("\n");
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const secret of [ADMIN_TOKEN, tenant.apiKey, key, password, "Body Name Marker"]) {
      expect(everything).not.toContain(secret);
    }
  });
});

test("an internal error is logged with its request id and answered with it, without details", async () => {
  const lines: string[] = [];
  const logger = createLogger("info", { sink: (line) => lines.push(line), pretty: false });
  const app = new Elysia()
    .use(requestLog(logger))
    .use(errorHandler(logger))
    .get("/boom", () => {
      throw new Error("select secret from somewhere");
    });
  const response = await call(app, "GET", "/boom", { headers: { "x-request-id": "boom-1" } });
  expect(response.status).toBe(500);
  expect(response.body.requestId).toBe("boom-1");
  expect(JSON.stringify(response.body)).not.toContain("secret");
  const logged = lines
    .map((line) => JSON.parse(line))
    .find((entry) => entry.msg === "unhandled error");
  expect(logged).toMatchObject({ level: "error", requestId: "boom-1" });
  expect(logged.error.message).toContain("select secret");
});

test("log lines are readable text when stdout is a terminal", () => {
  const lines: string[] = [];
  createLogger("info", { sink: (line) => lines.push(line), pretty: true }).info("request", {
    status: 200,
  });
  expect(lines[0]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}request status=200$/);
});
