import { beforeAll, describe, expect, test } from "bun:test";
import { describeEachDialect } from "../helpers/databases";
import { ADMIN_TOKEN, buildApp, type TestApp } from "../helpers/http";

const PAGE = "https://app.example.com";
const OTHER = "https://evil.example.com";

const preflight = (app: TestApp, origin: string, method = "POST") =>
  app.handle(
    new Request("http://localhost/tenants", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
      },
    }),
  );

const fromPage = (app: TestApp, origin: string, token = ADMIN_TOKEN) =>
  app.handle(
    new Request("http://localhost/tenants?limit=1", {
      headers: { origin, authorization: `Bearer ${token}` },
    }),
  );

describeEachDialect("CORS", (database) => {
  describe("without CORS_ORIGINS", () => {
    let app: TestApp;
    beforeAll(() => {
      app = buildApp(database().db);
    });

    test("no CORS header on any answer, and no preflight answered", async () => {
      const answer = await fromPage(app, PAGE);
      expect(answer.status).toBe(200);
      expect(
        [...answer.headers.keys()].filter((name) => name.startsWith("access-control")),
      ).toEqual([]);
      const refused = await preflight(app, PAGE);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    });
  });

  describe("with CORS_ORIGINS", () => {
    let app: TestApp;
    beforeAll(() => {
      app = buildApp(database().db, { corsOrigins: [PAGE] });
    });

    test("a preflight from a listed origin: 204, methods and headers allowed, no credentials", async () => {
      const answer = await preflight(app, PAGE, "PATCH");
      expect(answer.status).toBe(204);
      expect(answer.headers.get("access-control-allow-origin")).toBe(PAGE);
      expect(answer.headers.get("vary")).toBe("Origin");
      expect(answer.headers.get("access-control-allow-methods")).toContain("PATCH");
      expect(answer.headers.get("access-control-allow-headers")).toContain("authorization");
      expect(answer.headers.get("access-control-allow-headers")).toContain("idempotency-key");
      expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
      expect(await answer.text()).toBe("");
    });

    test("answers, errors included, let the page read them and the headers it needs", async () => {
      const answer = await fromPage(app, PAGE);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("access-control-allow-origin")).toBe(PAGE);
      const exposed = answer.headers.get("access-control-expose-headers") ?? "";
      for (const name of ["X-Request-Id", "ETag", "Location", "Link", "Idempotent-Replayed"])
        expect(exposed).toContain(name);
      const unauthorized = await fromPage(app, PAGE, "not-a-token");
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get("access-control-allow-origin")).toBe(PAGE);
    });

    test("an origin not listed gets no CORS header, so its browser refuses the answer", async () => {
      const answer = await fromPage(app, OTHER);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
      const refused = await preflight(app, OTHER);
      expect(refused.status).not.toBe(204);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    });

    test("CORS_ORIGINS=* lets every origin read, without Vary", async () => {
      const open = buildApp(database().db, { corsOrigins: "*" });
      const answer = await fromPage(open, OTHER);
      expect(answer.headers.get("access-control-allow-origin")).toBe("*");
      expect(answer.headers.get("vary")).toBeNull();
    });
  });
});
