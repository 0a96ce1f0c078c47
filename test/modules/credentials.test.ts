import { beforeAll, expect, test } from "bun:test";
import { parseDatabaseUrl } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { MAX_FAILURES } from "../../src/modules/credentials/service";
import { describeEachDialectAndPgbouncer } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp, withoutRequestId } from "../helpers/http";

const PASSWORD = "correct horse battery staple";

describeEachDialectAndPgbouncer("POST /tenants/{tenantId}/credentials/verify", (database) => {
  let app: TestApp;
  let tenant: { id: string; apiKey: string };
  let counter = 0;
  const verify = (email: string, password: string, token?: string) =>
    call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
      body: { email, password },
      ...(token ? { token } : {}),
    });
  const createUser = async (overrides: Record<string, unknown> = {}) => {
    const email = `cred${++counter}@example.com`;
    const response = await call(app, "POST", `/tenants/${tenant.id}/users`, {
      body: { email, name: "Cred", password: PASSWORD, ...overrides },
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  beforeAll(async () => {
    app = buildApp(database().db);
    tenant = (await call(app, "POST", "/tenants", { body: { name: "Cred", slug: "cred" } })).body;
  });

  test("right credentials: 200 with the user, in any email case, with the tenant's own key", async () => {
    const user = await createUser();
    const response = await verify(user.email.toUpperCase(), PASSWORD, tenant.apiKey);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(user);
    expect(response.body).not.toHaveProperty("passwordHash");
  });

  test("a wrong password, an unknown email and an inactive user all get the same 401", async () => {
    const user = await createUser();
    const inactive = await createUser({ isActive: false });
    const answers = [
      await verify(user.email, "wrong password"),
      await verify(`nobody${counter}@example.com`, PASSWORD),
      await verify(inactive.email, PASSWORD),
    ];
    const problems = answers.map((answer) => withoutRequestId(expectProblem(answer, 401)));
    expect(problems[1]).toEqual(problems[0]);
    expect(problems[2]).toEqual(problems[0]);
  });

  test("an unknown email costs a password check, like a known one", async () => {
    const user = await createUser();
    // The fastest of a few checks: other work on the machine only ever adds time to a sample.
    const fastest = async (email: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        await verify(email, `wrong ${i}`);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const known = await fastest(user.email);
    const unknown = await fastest(`ghost${counter}@example.com`);
    // Skipping the dummy check would make the unknown email ~100x faster than argon2id.
    expect(unknown).toBeGreaterThan(known / 3);
  });

  test(`after ${MAX_FAILURES} failures in a minute: 429 with Retry-After, even for the right password`, async () => {
    const user = await createUser();
    for (let i = 0; i < MAX_FAILURES; i++)
      expectProblem(await verify(user.email, `wrong ${i}`), 401);
    const limited = await verify(user.email, PASSWORD);
    expectProblem(limited, 429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another email of the same tenant is not affected.
    const other = await createUser();
    expect((await verify(other.email, PASSWORD)).status).toBe(200);
  });

  test("the limit holds across app instances with their own connections", async () => {
    const user = await createUser();
    const { url, prepare } = database();
    const second = openDatabase(parseDatabaseUrl(url), { prepare });
    try {
      const otherInstance = buildApp(second);
      for (let i = 0; i < MAX_FAILURES; i++)
        expectProblem(await verify(user.email, `wrong ${i}`), 401);
      const response = await call(
        otherInstance,
        "POST",
        `/tenants/${tenant.id}/credentials/verify`,
        {
          body: { email: user.email, password: PASSWORD },
        },
      );
      expectProblem(response, 429);
    } finally {
      await second.close();
    }
  });

  test("404 for an unknown tenant; 422 for a malformed body", async () => {
    const missing = "01936d7a-0000-7000-8000-000000000000";
    const response = await call(app, "POST", `/tenants/${missing}/credentials/verify`, {
      body: { email: "a@b.co", password: "x" },
    });
    expectProblem(response, 404);
    expectProblem(
      await call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
        body: { email: "a@b.co" },
      }),
      422,
    );
  });
});
