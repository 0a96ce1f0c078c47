import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import {
  buildWorker,
  COMPATIBILITY_DATE,
  D1_MIGRATIONS_DIR,
  WORKER_SCRIPT,
} from "../../scripts/build-worker";
import { splitStatements } from "../../src/db/migrations/files";
import { createTestDatabase, postgresProblem, type TestDatabase } from "../helpers/databases";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver";

// The Workers entry, bundled as `npm run build:worker` does it and run by workerd (Miniflare),
// sends its spans to a receiver on this machine.
const ADMIN_TOKEN = "worker-tracing-admin-token-0123456789abcd";
const IN_CI = process.env.CI === "true" || process.env.CI === "1";
const PASSWORD = "correct horse battery staple";

let receiver: OtlpReceiver;
beforeAll(async () => {
  await buildWorker();
  receiver = startOtlpReceiver();
}, 60_000);
afterAll(() => receiver.stop());

function startWorker(bindings: Record<string, string>, d1: boolean) {
  let output = "";
  const mf = new Miniflare({
    modules: true,
    scriptPath: WORKER_SCRIPT,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    ...(d1 ? { d1Databases: ["DB"] } : {}),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      for (const stream of [stdout, stderr])
        stream.on("data", (chunk: Buffer) => (output += chunk));
    },
    bindings: {
      ADMIN_TOKEN,
      LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "tenant-api-worker",
      ...bindings,
    },
  });
  return { mf, output: () => output };
}

function describeTracedWorker(
  name: "D1" | "PostgreSQL",
  setUp: () => Promise<{ worker: ReturnType<typeof startWorker>; tearDown(): Promise<void> }>,
) {
  describe(`Workers entry on ${name}: traces`, () => {
    let backend: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      backend = await setUp();
    }, 60_000);
    afterAll(() => backend?.tearDown());

    test("the request's span, child of the incoming traceparent, with its query and password spans", async () => {
      const { mf, output } = backend.worker;
      const send = (
        method: string,
        path: string,
        body: unknown,
        headers: Record<string, string> = {},
      ) =>
        mf.dispatchFetch(`http://localhost${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            "content-type": "application/json",
            ...headers,
          },
          body: JSON.stringify(body),
        });
      const created = await send("POST", "/tenants", {
        name: "Edge",
        slug: `edge-${name.toLowerCase()}`,
      });
      expect(created.status).toBe(201);
      const tenant = (await created.json()) as { id: string };

      const traceId = crypto.randomUUID().replaceAll("-", "");
      const callerSpanId = "00f067aa0ba902b7";
      const response = await send(
        "POST",
        `/tenants/${tenant.id}/users`,
        { email: "edge@example.com", name: "Edge", password: PASSWORD },
        { traceparent: `00-${traceId}-${callerSpanId}-01` },
      );
      expect(response.status).toBe(201);
      const requestId = response.headers.get("x-request-id");

      const spans = (
        await receiver.waitFor(
          (all) => all.some((span) => span.traceId === traceId && span.kind === 2),
          `the worker's span on ${name}`,
        )
      ).filter((span) => span.traceId === traceId);
      const serverSpan = spans.find((span) => span.kind === 2) as ReceivedSpan;
      expect(serverSpan.parentSpanId).toBe(callerSpanId);
      expect(serverSpan.name).toBe("POST /tenants/:tenantId/users");
      expect(serverSpan.attributes).toMatchObject({
        "http.route": "/tenants/:tenantId/users",
        "http.response.status_code": 201,
        "request.id": requestId,
        "tenant.id": tenant.id,
      });
      expect(serverSpan.resource["service.name"]).toBe("tenant-api-worker");
      const queries = spans.filter((span) => span.attributes["db.system"] !== undefined);
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        expect(query.parentSpanId).toBe(serverSpan.spanId);
        expect(query.attributes["db.system"]).toBe(name === "D1" ? "sqlite" : "postgresql");
        expect(String(query.attributes["db.statement"])).not.toContain("edge@example.com");
      }
      const hash = spans.find((span) => span.name === "password hash");
      expect(hash?.parentSpanId).toBe(serverSpan.spanId);

      for (
        let waited = 0;
        waited < 2_000 && !output().includes(`"requestId":"${requestId}"`);
        waited += 20
      ) {
        await Bun.sleep(20);
      }
      const line = output()
        .split("\n")
        .find((candidate) => candidate.includes(`"requestId":"${requestId}"`));
      expect(JSON.parse(line as string)).toMatchObject({ trace_id: traceId });
    }, 30_000);
  });
}

describeTracedWorker("D1", async () => {
  const worker = startWorker({}, true);
  const d1 = await worker.mf.getD1Database("DB");
  for (const file of readdirSync(D1_MIGRATIONS_DIR).sort()) {
    const statements = splitStatements(readFileSync(join(D1_MIGRATIONS_DIR, file), "utf8"));
    await d1.batch(statements.map((statement) => d1.prepare(statement)));
  }
  return { worker, tearDown: () => worker.mf.dispose() };
});

if (postgresProblem === null || IN_CI) {
  describeTracedWorker("PostgreSQL", async () => {
    if (postgresProblem !== null) throw new Error(`PostgreSQL is unreachable: ${postgresProblem}`);
    const database: TestDatabase = await createTestDatabase("postgres");
    const worker = startWorker({ DATABASE_URL: database.url }, false);
    return {
      worker,
      tearDown: async () => {
        await worker.mf.dispose();
        await database.drop();
      },
    };
  });
}
