import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia, t, ValidationError } from "elysia";
import { errorHandler } from "../../src/http/error-handler";
import { lastResort } from "../../src/http/last-resort";
import { createLogger, type Logger } from "../../src/lib/logger";
import { call, expectProblem } from "../helpers/http";
import { LISTENING, start, watch } from "../helpers/server";

/** A logger that fails on every line: the error path must answer without it. */
const brokenLogger: Logger = {
  ...createLogger("silent"),
  error: () => {
    throw new Error("the log sink is gone");
  },
};

/** An error whose every property throws when read, as an error from a broken library might. */
function unreadableError(): Error {
  const error = new Error("unreadable");
  for (const key of ["message", "stack", "cause", "name"]) {
    Object.defineProperty(error, key, {
      get() {
        throw new Error(`reading ${key} failed`);
      },
    });
  }
  return error;
}

/** A validation error whose description throws, as Elysia's did for {"toString": 1}. */
function unformattableValidationError(): ValidationError {
  const validator = {
    Errors() {
      throw new TypeError("Cannot convert object to primitive value");
    },
  };
  const error = Object.create(ValidationError.prototype) as ValidationError;
  return Object.assign(error, { code: "VALIDATION", type: "body", validator, value: {} });
}

describe("the error handler when building a problem fails", () => {
  const app = new Elysia()
    .onRequest(({ set }) => {
      set.headers["x-request-id"] = "error-path-test";
    })
    .use(errorHandler(brokenLogger))
    .get("/unreadable", () => {
      throw unreadableError();
    })
    .post("/unformattable", () => {
      throw unformattableValidationError();
    })
    .post("/typed", ({ body }) => body, { body: t.Object({ name: t.String() }) });

  test("an error whose properties throw, logged by a logger that throws: a fixed 500 problem with the request id", async () => {
    const problem = expectProblem(await call(app, "GET", "/unreadable"), 500);
    expect(problem.requestId).toBe("error-path-test");
    expect(JSON.stringify(problem)).not.toContain("unreadable");
  });

  test("a validation error whose description throws is still the client's: 422", async () => {
    const problem = expectProblem(await call(app, "POST", "/unformattable", { body: {} }), 422);
    expect(problem.requestId).toBe("error-path-test");
    expect(problem.errors).toBeUndefined();
  });

  test("values that cannot be turned into text, where a string goes: 422 naming the field", async () => {
    for (const name of [
      { toString: 1 },
      { toString: {}, valueOf: [] },
      [{ toString: null }],
      JSON.parse('{"__proto__": {"toString": 1}}'),
    ]) {
      const problem = expectProblem(await call(app, "POST", "/typed", { body: { name } }), 422);
      expect(problem.errors?.[0]?.path).toBe("/name");
    }
  });
});

describe("the server's last resort", () => {
  test("when the app's own error handling throws, Bun's error page never renders, in any NODE_ENV", async () => {
    const seen: string[] = [];
    const logger = createLogger("error", { sink: (line) => seen.push(line), pretty: false });
    const app = new Elysia()
      .onError(() => {
        throw new Error("formatting failed at /secret/path.ts:12");
      })
      .get("/boom", () => {
        throw new Error("boom");
      })
      // development: true is what Bun renders its HTML page with stack and source lines for.
      .listen({ hostname: "127.0.0.1", port: 0, development: true, error: lastResort(logger) });
    try {
      const response = await fetch(`http://127.0.0.1:${app.server?.port}/boom`);
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const text = await response.text();
      expect(text).not.toContain("secret");
      expect(text).not.toContain("<html");
      const problem = JSON.parse(text) as { status: number; requestId: string };
      expect(problem.status).toBe(500);
      expect(response.headers.get("x-request-id")).toBe(problem.requestId);
      // The log line carries the same id and the error, to find what happened.
      expect(seen.some((line) => line.includes(problem.requestId) && line.includes("secret"))).toBe(
        true,
      );
    } finally {
      await app.stop(true);
    }
  });
});

describe("npm start in each NODE_ENV: values that cannot be turned into text", () => {
  const ADMIN_TOKEN = "error-path-admin-token-0123456789abcdefgh";
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  for (const nodeEnv of ["development", "production", "test"]) {
    test(`NODE_ENV=${nodeEnv}: every string field of every body gets 422 problem+json`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), "tenant-api-error-path-"));
      folders.push(cwd);
      const server = start(cwd, { NODE_ENV: nodeEnv, ADMIN_TOKEN, MIGRATE_ON_START: "true" });
      try {
        const url = await watch(server.stdout).waitFor(LISTENING);
        const send = (method: string, path: string, body: unknown) =>
          fetch(`${url}${path}`, {
            method,
            headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
            body: JSON.stringify(body),
          });
        const tenant = (await (
          await send("POST", "/tenants", { name: "Acme", slug: "acme" })
        ).json()) as {
          id: string;
        };
        const user = { email: "a@example.com", name: "A", password: "long enough" };
        const cases: [string, string, Record<string, unknown>][] = [
          ["POST", "/tenants", { name: "N", slug: "n" }],
          ["PATCH", `/tenants/${tenant.id}`, { name: "N", slug: "n" }],
          ["POST", `/tenants/${tenant.id}/users`, user],
          ["POST", `/tenants/${tenant.id}/api-keys`, { name: "ci" }],
          ["POST", `/tenants/${tenant.id}/credentials/verify`, user],
        ];
        for (const [method, path, valid] of cases) {
          for (const field of Object.keys(valid)) {
            for (const value of [{ toString: 1 }, [{ toString: "x" }]]) {
              const response = await send(method, path, { ...valid, [field]: value });
              const answer = {
                status: response.status,
                type: response.headers.get("content-type"),
              };
              expect({ method, path, field, ...answer }).toEqual({
                method,
                path,
                field,
                status: 422,
                type: "application/problem+json",
              });
            }
          }
        }
      } finally {
        server.kill("SIGTERM");
        await server.exited;
      }
    }, 30_000);
  }
});
