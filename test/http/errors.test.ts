import { beforeAll, expect, test } from "bun:test";
import { describeEachDialect } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp } from "../helpers/http";

const LIMIT = 1024 * 1024;
const JSON_HEADERS = { "content-type": "application/json" };

/** A JSON tenant body of exactly `size` bytes. */
function tenantBodyOfSize(size: number, slug: string): string {
  const base = JSON.stringify({ name: "", slug });
  return JSON.stringify({ name: "x".repeat(size - base.length), slug });
}

describeEachDialect("HTTP errors", (database) => {
  let app: TestApp;
  beforeAll(() => {
    app = buildApp(database().db);
  });

  test("an unknown route is a 404 problem", async () => {
    const problem = expectProblem(await call(app, "GET", "/no/such/route"), 404);
    expect(problem.type).toBe("/problems/not-found");
  });

  test("an unsupported method on a known path is a 404 problem", async () => {
    expectProblem(await call(app, "PUT", "/tenants", { body: {} }), 404);
  });

  test("a body of exactly the limit is read (and then validated); one byte more is 413", async () => {
    const atLimit = tenantBodyOfSize(LIMIT, "at-limit");
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    const accepted = await call(app, "POST", "/tenants", { raw: atLimit, headers: JSON_HEADERS });
    expectProblem(accepted, 422); // read and parsed: the name is too long, not the body
    const over = tenantBodyOfSize(LIMIT + 1, "over-limit");
    const problem = expectProblem(
      await call(app, "POST", "/tenants", { raw: over, headers: JSON_HEADERS }),
      413,
    );
    expect(problem.detail).toContain(String(LIMIT));
  });

  test("a streamed body without Content-Length is cut off at the limit with 413", async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 4 * LIMIT) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://localhost/tenants", {
      method: "POST",
      headers: JSON_HEADERS,
      body,
      duplex: "half",
    });
    expect(request.headers.get("content-length")).toBeNull();
    const response = await app.handle(request);
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toStartWith("application/problem+json");
    expect(sent).toBeLessThan(2 * LIMIT);
  });

  test("JSON with a charset parameter, or a +json media type, is accepted", async () => {
    const withCharset = await call(app, "POST", "/tenants", {
      raw: JSON.stringify({ name: "Charset", slug: "charset" }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(withCharset.status).toBe(201);
    const merge = await call(app, "PATCH", `/tenants/${withCharset.body.id}`, {
      raw: JSON.stringify({ name: "Merged" }),
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(merge.status).toBe(200);
  });

  test.each([
    ["no Content-Type", {}],
    ["text/plain", { "content-type": "text/plain" }],
    ["multipart/form-data", { "content-type": "multipart/form-data; boundary=x" }],
  ])("a body sent as %s is 415", async (_, headers: Record<string, string>) => {
    const raw = JSON.stringify({ name: "A", slug: "media" });
    expectProblem(await call(app, "POST", "/tenants", { raw, headers }), 415);
  });

  test.each([
    ["truncated JSON", '{"name":"A"'],
    ["an empty body", ""],
    ["invalid UTF-8", "\xff\xfe"],
    ["a trailing comma", '{"name":"A","slug":"b",}'],
  ])("%s is a 400 problem, with and without Content-Length", async (_, raw) => {
    const body = raw === "\xff\xfe" ? new Uint8Array([0x22, 0xff, 0xfe, 0x22]) : raw;
    const length = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    // The two ways a body is read: whole when its length is declared, as a stream otherwise.
    for (const declared of [null, length]) {
      const headers =
        declared === null ? JSON_HEADERS : { ...JSON_HEADERS, "content-length": declared };
      const request = new Request("http://localhost/tenants", { method: "POST", headers, body });
      expect(request.headers.get("content-length")).toBe(declared);
      const response = await app.handle(request);
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toStartWith("application/problem+json");
    }
  });

  test("a body longer than the Content-Length it declares is still held to the limit", async () => {
    const request = new Request("http://localhost/tenants", {
      method: "POST",
      headers: { ...JSON_HEADERS, "content-length": "10" },
      body: tenantBodyOfSize(LIMIT + 1, "understated"),
    });
    const response = await app.handle(request);
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toStartWith("application/problem+json");
  });

  test("a POST without any body is a 422 problem", async () => {
    const problem = expectProblem(
      await call(app, "POST", "/tenants", { headers: JSON_HEADERS }),
      422,
    );
    expect(problem.detail).toContain("body is required");
  });

  test.each([
    ["a JSON array", "[]"],
    ["a JSON string", '"tenant"'],
    ["JSON null", "null"],
    ["a number", "1e400"],
  ])("%s as the body is 422", async (_, raw) => {
    expectProblem(await call(app, "POST", "/tenants", { raw, headers: JSON_HEADERS }), 422);
  });
});
