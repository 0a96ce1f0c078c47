import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeEachDialect } from "../helpers/databases";
import { LISTENING, start, watch } from "../helpers/server";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver";

const ADMIN_TOKEN = "tracing-test-admin-token-0123456789abcdef";
const PASSWORD = "correct horse battery staple";

describeEachDialect("OpenTelemetry traces", (database, dialect) => {
  let receiver: OtlpReceiver;
  let server: ReturnType<typeof start>;
  let stdout: ReturnType<typeof watch>;
  let url: string;
  let cwd: string;

  beforeAll(async () => {
    receiver = startOtlpReceiver();
    cwd = mkdtempSync(join(tmpdir(), "tenant-api-tracing-"));
    server = start(cwd, {
      DATABASE_URL: database().url,
      ADMIN_TOKEN,
      LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "tenant-api-test",
      // Milliseconds between batches: the default 5 s would only slow the test.
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
    stdout = watch(server.stdout);
    url = await stdout.waitFor(LISTENING);
  });
  afterAll(async () => {
    server.kill("SIGTERM");
    await server.exited;
    receiver.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "content-type": "application/json",
        ...headers,
      },
      body: JSON.stringify(body),
    });

  test("a request's span is the child of the incoming traceparent, with a span per query and per password hash", async () => {
    const tenant = (await (await post("/tenants", { name: "Traced", slug: "traced" })).json()) as {
      id: string;
    };
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const callerSpanId = "b7ad6b7169203331";
    const email = "traced-user@example.com";
    const response = await post(
      `/tenants/${tenant.id}/users`,
      { email, name: "Traced", password: PASSWORD },
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(response.status).toBe(201);
    const requestId = response.headers.get("x-request-id");

    const spans = await receiver.waitFor(
      (all) => all.some((span) => span.traceId === traceId && span.kind === 2),
      traceId,
    );
    const mine = spans.filter((span) => span.traceId === traceId);
    const serverSpan = mine.find((span) => span.kind === 2) as ReceivedSpan;
    expect(serverSpan.parentSpanId).toBe(callerSpanId);
    expect(serverSpan.name).toBe("POST /tenants/:tenantId/users");
    expect(serverSpan.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/tenants/:tenantId/users",
      "http.response.status_code": 201,
      "request.id": requestId,
      "tenant.id": tenant.id,
    });
    expect(serverSpan.resource["service.name"]).toBe("tenant-api-test");

    const queries = mine.filter((span) => span.attributes["db.system"] !== undefined);
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query.parentSpanId).toBe(serverSpan.spanId);
      expect(query.kind).toBe(3);
      expect(query.attributes["db.system"]).toBe(dialect === "postgres" ? "postgresql" : "sqlite");
    }
    const insert = queries.find((span) =>
      /^insert into "users"/.test(String(span.attributes["db.statement"])),
    );
    expect(insert).toBeDefined();
    // The statement carries placeholders, never the values.
    for (const query of queries) {
      expect(String(query.attributes["db.statement"])).not.toContain(email);
      expect(String(query.attributes["db.statement"])).not.toContain(tenant.id);
    }
    const hash = mine.find((span) => span.name === "password hash") as ReceivedSpan;
    expect(hash).toBeDefined();
    expect(hash.parentSpanId).toBe(serverSpan.spanId);

    // The request's log line carries the trace.
    const line = stdout
      .text()
      .split("\n")
      .find((candidate) => candidate.includes(`"requestId":"${requestId}"`));
    expect(JSON.parse(line as string)).toMatchObject({
      trace_id: traceId,
      span_id: serverSpan.spanId,
    });
  });

  test("without a traceparent a request starts a trace of its own, its queries under it", async () => {
    const before = receiver.spans().length;
    const response = await fetch(`${url}/tenants`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get("x-request-id");
    const spans = await receiver.waitFor(
      (all) => all.slice(before).some((span) => span.attributes["request.id"] === requestId),
      `the span of ${requestId}`,
    );
    const serverSpan = spans.find(
      (span) => span.attributes["request.id"] === requestId,
    ) as ReceivedSpan;
    expect(serverSpan.parentSpanId).toBeUndefined();
    expect(serverSpan.name).toBe("GET /tenants");
    expect(
      spans.some((span) => span.parentSpanId === serverSpan.spanId && span.attributes["db.system"]),
    ).toBe(true);
  });
});
