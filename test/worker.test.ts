import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type MiniflareOptions } from "miniflare";
import {
  buildWorker,
  COMPATIBILITY_DATE,
  D1_MIGRATIONS_DIR,
  WORKER_SCRIPT,
} from "../scripts/build-worker";
import { freePort } from "../scripts/harness";
import { migrationsFolder, readMigrations, splitStatements } from "../src/db/migrations/files";
import { bunPasswords } from "../src/lib/password-bun";
import { createTestDatabase, postgresProblem, type TestDatabase } from "./helpers/databases";
import { ADMIN_TOKEN, buildApp, call, expectProblem } from "./helpers/http";

// The Workers entry, bundled as `npm run build:worker` does it, run by workerd (Miniflare).
const IN_CI = process.env.CI === "true" || process.env.CI === "1";
const PASSWORD = "correct horse battery staple";
const UNKNOWN_ID = "0198f0f0-0000-7000-8000-000000000000";
// With TEST_LOG_FILE set (CI does), the worker logs at debug level into that file too, so that
// CI's check for secrets in logs covers the Workers entry as well.
const LOG_FILE = process.env.TEST_LOG_FILE;
let building: Promise<void> | undefined;
const built = () => (building ??= buildWorker());

/** A worker, and what it has written to stdout and stderr so far. */
function startWorker(options: Partial<MiniflareOptions>): { mf: Miniflare; output: () => string } {
  let output = "";
  const mf = new Miniflare({
    modules: true,
    scriptPath: WORKER_SCRIPT,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      for (const stream of [stdout, stderr]) {
        stream.on("data", (chunk: Buffer) => {
          output += chunk;
          if (LOG_FILE !== undefined) appendFileSync(LOG_FILE, chunk);
        });
      }
    },
    ...options,
    bindings: {
      ADMIN_TOKEN,
      LOG_LEVEL: LOG_FILE === undefined ? "info" : "debug",
      ...options.bindings,
    },
  });
  return { mf, output: () => output };
}

/** The worker's JSON log lines, once one matching `until` has arrived (it is written after the response). */
async function logLines(
  output: () => string,
  until: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>[]> {
  const parse = () =>
    output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  for (let waited = 0; waited < 2_000 && !parse().some(until); waited += 20) await Bun.sleep(20);
  return parse();
}

/** The worker behind call()'s interface, so that requests and problem checks read as elsewhere. */
const through = (mf: Miniflare) => ({
  handle: async (request: Request) => {
    const answer = await mf.dispatchFetch(request.url, {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: request.body === null ? undefined : await request.text(),
    });
    const body = await answer.arrayBuffer();
    return new Response(body, {
      status: answer.status,
      headers: Object.fromEntries(answer.headers),
    });
  },
});

/** The same journey on each backend; `passwordHashOf` and `setPasswordHash` reach its database. */
function describeWorker(
  name: "sqlite" | "postgres",
  setUp: () => Promise<{
    worker: ReturnType<typeof startWorker>;
    passwordHashOf(userId: string): Promise<string>;
    /** Verifies through the Bun app on the same database, where there is one. */
    verifyOnBun?(tenantId: string, email: string, password: string): Promise<number>;
    setPasswordHash(userId: string, hash: string): Promise<void>;
    tearDown(): Promise<void>;
  }>,
) {
  describe(`Workers entry on ${name === "sqlite" ? "D1" : "PostgreSQL"}`, () => {
    let backend: Awaited<ReturnType<typeof setUp>>;
    let worker: ReturnType<typeof through>;
    let tenant: { id: string; apiKey: string };
    let user: { id: string; email: string };

    beforeAll(async () => {
      await built();
      backend = await setUp();
      worker = through(backend.worker.mf);
    }, 60_000);
    afterAll(() => backend?.tearDown());

    test("/ready names the database and its newest migration", async () => {
      const response = await call(worker, "GET", "/ready");
      expect(response.status).toBe(200);
      const newest = readMigrations(migrationsFolder(name)).at(-1)?.tag;
      expect(response.body).toEqual({ status: "ready", database: name, migration: newest });
    });

    test("the admin creates a tenant, its key creates a user, both read back", async () => {
      const created = await call(worker, "POST", "/tenants", {
        body: { name: "Edge", slug: "edge" },
      });
      expect(created.status).toBe(201);
      tenant = created.body;
      const { apiKey: _, ...visible } = created.body;
      expect((await call(worker, "GET", `/tenants/${tenant.id}`)).body).toEqual(visible);

      const token = tenant.apiKey;
      const body = { email: "Ada@Example.com", name: "Ada", password: PASSWORD };
      const made = await call(worker, "POST", `/tenants/${tenant.id}/users`, { token, body });
      expect(made.status).toBe(201);
      user = made.body;
      expect(user.email).toBe("ada@example.com");
      const path = `/tenants/${tenant.id}/users`;
      expect((await call(worker, "GET", `${path}/${user.id}`, { token })).body).toEqual(made.body);
      // Twice: the prepared statement of the first request serves the next one too.
      for (let round = 0; round < 2; round++) {
        expect((await call(worker, "GET", path, { token })).body.data).toEqual([made.body]);
      }
    });

    test("a taken slug is 409 and an unknown tenant 404, as problem+json", async () => {
      const taken = await call(worker, "POST", "/tenants", {
        body: { name: "Again", slug: "edge" },
      });
      expect(expectProblem(taken, 409).errors).toEqual([
        { path: "/slug", message: expect.any(String) },
      ]);
      const missing = expectProblem(await call(worker, "GET", `/tenants/${UNKNOWN_ID}`), 404);
      expect(missing).toEqual({
        type: "/problems/not-found",
        title: "Not found",
        status: 404,
        detail: "Tenant not found",
        requestId: expect.any(String),
      });
    });

    test("a hash the worker made verifies with Bun.password, and one Bun made verifies on the worker", async () => {
      const workerHash = await backend.passwordHashOf(user.id);
      expect(await bunPasswords.verify(PASSWORD, workerHash)).toBe(true);
      if (backend.verifyOnBun) {
        expect(await backend.verifyOnBun(tenant.id, user.email, PASSWORD)).toBe(200);
      }

      await backend.setPasswordHash(user.id, await bunPasswords.hash("made by bun"));
      const verify = (password: string) =>
        call(worker, "POST", `/tenants/${tenant.id}/credentials/verify`, {
          body: { email: user.email, password },
        });
      const accepted = await verify("made by bun");
      expect(accepted.status).toBe(200);
      expect(accepted.body.id).toBe(user.id);
      expectProblem(await verify(PASSWORD), 401);
    });

    test("concurrent requests each get an answer", async () => {
      const token = tenant.apiKey;
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => call(worker, "GET", `/tenants/${tenant.id}`, { token })),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    });

    test("conditional requests: ETag, 304, two PATCHes with one tag (one 200, one 412), 404 for an unknown user", async () => {
      const token = tenant.apiKey;
      const path = `/tenants/${tenant.id}/users/${user.id}`;
      const read = await call(worker, "GET", path, { token });
      const etag = read.headers.get("etag") ?? "";
      expect(etag).toMatch(/^"[^"]+"$/);
      const notModified = await call(worker, "GET", path, {
        token,
        headers: { "if-none-match": etag },
      });
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBe("");
      expect(notModified.headers.get("etag")).toBe(etag);

      // Two PATCHes with the same tag at once, a few rounds: one 200 and one 412 each.
      let current = etag;
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          ["a", "b"].map((side) =>
            call(worker, "PATCH", path, {
              token,
              body: { name: `Edge ${round} ${side}` },
              headers: { "if-match": current },
            }),
          ),
        );
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
        const winner = answers.find((answer) => answer.status === 200);
        current = winner?.headers.get("etag") ?? "";
        expect(current).not.toBe(etag);
      }
      const loser = await call(worker, "DELETE", path, { token, headers: { "if-match": etag } });
      expect(expectProblem(loser, 412).type).toBe("/problems/precondition-failed");
      const unknown = await call(worker, "PATCH", `/tenants/${tenant.id}/users/${UNKNOWN_ID}`, {
        token,
        body: { name: "Nobody" },
        headers: { "if-match": current },
      });
      expectProblem(unknown, 404);
      // The worker runs with the default REQUIRE_IF_MATCH=false: no If-Match is no 428.
      const renamed = await call(worker, "PATCH", path, { token, body: { name: "Ada" } });
      expect(renamed.status).toBe(200);
      expect(renamed.headers.get("etag")).not.toBe(current);
    });

    test("each request leaves a JSON log line with its route and status, and no secret", async () => {
      const isUserCreation = (line: Record<string, unknown>) =>
        line.msg === "request" && line.route === "/tenants/:tenantId/users" && line.status === 201;
      const lines = await logLines(backend.worker.output, isUserCreation);
      expect(lines.filter(isUserCreation)).toEqual([
        expect.objectContaining({ method: "POST", tenantId: tenant.id, principal: "tenant" }),
      ]);
      const output = backend.worker.output();
      for (const secret of [ADMIN_TOKEN, tenant.apiKey, PASSWORD]) {
        expect(output).not.toContain(secret);
      }
    });

    test("an Idempotency-Key: each create's retry replays its answer (Web Crypto in workerd), another body 422", async () => {
      const creates = [
        { path: "/tenants", token: ADMIN_TOKEN, body: { name: "Edge once", slug: "edge-once" } },
        {
          path: `/tenants/${tenant.id}/users`,
          token: tenant.apiKey,
          body: { email: "once@example.com", name: "Once", password: PASSWORD },
        },
        { path: `/tenants/${tenant.id}/api-keys`, token: tenant.apiKey, body: { name: "once" } },
      ];
      for (const { path, token, body } of creates) {
        const headers = { "idempotency-key": crypto.randomUUID() };
        const first = await call(worker, "POST", path, { token, body, headers });
        expect(first.status).toBe(201);
        const retry = await call(worker, "POST", path, { token, body, headers });
        expect(retry.status).toBe(201);
        expect(retry.headers.get("idempotent-replayed")).toBe("true");
        expect(JSON.stringify(retry.body)).toBe(JSON.stringify(first.body));
        const other = await call(worker, "POST", path, {
          token,
          body: { ...body, name: "Other" },
          headers,
        });
        expect(expectProblem(other, 422).type).toBe("/problems/idempotency-key-reused");
      }
    });
  });
}

describeWorker("sqlite", async () => {
  const worker = startWorker({ d1Databases: ["DB"] });
  const d1 = await worker.mf.getD1Database("DB");
  // What an operator applies: the files `npm run build:worker` writes, each as one batch.
  for (const file of readdirSync(D1_MIGRATIONS_DIR).sort()) {
    const statements = splitStatements(readFileSync(join(D1_MIGRATIONS_DIR, file), "utf8"));
    await d1.batch(statements.map((statement) => d1.prepare(statement)));
  }
  return {
    worker,
    passwordHashOf: async (id) =>
      String(
        await d1
          .prepare("select password_hash from users where id = ?")
          .bind(id)
          .first("password_hash"),
      ),
    setPasswordHash: async (id, hash) => {
      await d1.prepare("update users set password_hash = ? where id = ?").bind(hash, id).run();
    },
    tearDown: () => worker.mf.dispose(),
  };
});

if (postgresProblem === null || IN_CI) {
  describeWorker("postgres", async () => {
    if (postgresProblem !== null) throw new Error(`PostgreSQL is unreachable: ${postgresProblem}`);
    // Migrated by the repo's own engine, from the Bun side, before the worker starts.
    const database: TestDatabase = await createTestDatabase("postgres");
    const { sql } = database.db as Extract<TestDatabase["db"], { dialect: "postgres" }>;
    const worker = startWorker({ bindings: { DATABASE_URL: database.url } });
    const bunApp = buildApp(database.db);
    return {
      worker,
      passwordHashOf: async (id) =>
        (await sql<{ hash: string }[]>`select password_hash as hash from users where id = ${id}`)[0]
          ?.hash ?? "",
      verifyOnBun: async (tenantId, email, password) =>
        (
          await call(bunApp, "POST", `/tenants/${tenantId}/credentials/verify`, {
            body: { email, password },
          })
        ).status,
      setPasswordHash: async (id, hash) => {
        await sql`update users set password_hash = ${hash} where id = ${id}`;
      },
      tearDown: async () => {
        await worker.mf.dispose();
        await database.drop();
      },
    };
  });
} else {
  console.warn(
    `\n!!! PostgreSQL is unreachable (${postgresProblem}): SKIPPING the Workers entry on PostgreSQL !!!\n`,
  );
}

test("an unreachable PostgreSQL is 503 with Retry-After, as on Bun", async () => {
  await built();
  const { mf } = startWorker({
    bindings: { DATABASE_URL: `postgres://postgres@127.0.0.1:${freePort()}/nothing` },
  });
  try {
    const response = await call(through(mf), "GET", "/tenants");
    expect(expectProblem(response, 503).type).toBe("/problems/service-unavailable");
    expect(response.headers.get("retry-after")).toBe("1");
  } finally {
    await mf.dispose();
  }
}, 30_000);

test("a Worker without ADMIN_TOKEN refuses to start, naming the variable", async () => {
  await built();
  const { mf, output } = startWorker({ d1Databases: ["DB"], bindings: { ADMIN_TOKEN: "" } });
  const failure = await mf.ready.then(
    () => undefined,
    (error: unknown) => error,
  );
  // dispose() raises the start-up failure again; the runtime is stopped either way.
  await mf.dispose().catch(() => {});
  expect(failure).toBeInstanceOf(Error);
  expect(output()).toContain("ADMIN_TOKEN is required");
}, 30_000);
