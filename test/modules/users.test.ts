import { beforeAll, describe, expect, test } from "bun:test";
import { describeEachDialectAndPgbouncer } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp, withoutRequestId } from "../helpers/http";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MISSING_ID = "01936d7a-0000-7000-8000-000000000000";
const PASSWORD = "correct horse battery staple";

describeEachDialectAndPgbouncer("users", (database) => {
  let app: TestApp;
  let tenantA: { id: string };
  let tenantB: { id: string };
  let counter = 0;
  const email = () => `user${++counter}@example.com`;

  const createTenant = async (slug: string) =>
    (await call(app, "POST", "/tenants", { body: { name: slug, slug } })).body;
  const createUser = async (tenantId: string, body: Record<string, unknown> = {}) => {
    const response = await call(app, "POST", `/tenants/${tenantId}/users`, {
      body: { email: email(), name: "Ada", password: PASSWORD, ...body },
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  beforeAll(async () => {
    app = buildApp(database().db);
    tenantA = await createTenant("tenant-a");
    tenantB = await createTenant("tenant-b");
  });

  describe("POST /tenants/{tenantId}/users", () => {
    test("201 with defaults, a lower-cased email, Location, and no password in sight", async () => {
      const response = await call(app, "POST", `/tenants/${tenantA.id}/users`, {
        body: { email: "Ada.Lovelace@Example.COM", name: " Ada ", password: PASSWORD },
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID_V7),
        tenantId: tenantA.id,
        email: "ada.lovelace@example.com",
        name: "Ada",
        role: "member",
        isActive: true,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      expect(response.headers.get("location")).toBe(
        `/tenants/${tenantA.id}/users/${response.body.id}`,
      );
    });

    test("stores the password only as an argon2id hash that verifies", async () => {
      const user = await createUser(tenantA.id);
      const { db } = database();
      const row =
        db.dialect === "postgres"
          ? (await db.sql`select password_hash from users where id = ${user.id}`)[0]
          : db.sqlite.query("select password_hash from users where id = ?").get(user.id);
      const hash = (row as { password_hash: string }).password_hash;
      expect(hash).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
      expect(await Bun.password.verify(PASSWORD, hash)).toBe(true);
    });

    test("accepts role, isActive and the longest allowed values", async () => {
      const local = "a".repeat(64);
      const longEmail = `${local}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
      expect(longEmail).toHaveLength(254);
      const user = await createUser(tenantA.id, {
        email: longEmail,
        role: "owner",
        isActive: false,
        name: "n".repeat(200),
        password: "p".repeat(256),
      });
      expect(user).toMatchObject({ role: "owner", isActive: false, email: longEmail });
    });

    test("the same email may exist in two tenants, not twice in one", async () => {
      const address = email();
      await createUser(tenantA.id, { email: address });
      await createUser(tenantB.id, { email: address });
      const response = await call(app, "POST", `/tenants/${tenantA.id}/users`, {
        body: { email: address.toUpperCase(), name: "Dup", password: PASSWORD },
      });
      const problem = expectProblem(response, 409);
      expect(problem.errors).toEqual([{ path: "/email", message: "is already taken" }]);
    });

    test("404 for an unknown tenant", async () => {
      const response = await call(app, "POST", `/tenants/${MISSING_ID}/users`, {
        body: { email: email(), name: "Ada", password: PASSWORD },
      });
      expectProblem(response, 404);
    });

    test.each([
      ["a missing email", { email: undefined }, "/email"],
      ["an invalid email", { email: "not-an-email" }, "/email"],
      [
        "an email over 254 characters",
        { email: `${"a".repeat(64)}@${"b".repeat(186)}.com` },
        "/email",
      ],
      ["a missing name", { name: undefined }, "/name"],
      ["a name over 200 characters", { name: "x".repeat(201) }, "/name"],
      ["an unknown role", { role: "root" }, "/role"],
      ["a non-boolean isActive", { isActive: "yes" }, "/isActive"],
      ["a password under 8 characters", { password: "short" }, "/password"],
      ["a password over 256 characters", { password: "p".repeat(257) }, "/password"],
      ["a missing password", { password: undefined }, "/password"],
      ["a NUL in the password", { password: "pass\u0000word" }, "/password"],
      ["a passwordHash", { passwordHash: "$argon2id$forged" }, "/passwordHash"],
      ["a tenantId", { tenantId: MISSING_ID }, "/tenantId"],
      ["an unknown property", { admin: true }, "/admin"],
    ])("422 for %s", async (_, overrides, path) => {
      const body = { email: email(), name: "Ada", password: PASSWORD, ...overrides };
      const response = await call(app, "POST", `/tenants/${tenantA.id}/users`, { body });
      const problem = expectProblem(response, 422);
      expect(problem.errors?.map((error) => error.path)).toContain(path);
      expect(JSON.stringify(problem)).not.toContain(PASSWORD);
    });

    test("400, 413 and 415 for bodies that cannot be read", async () => {
      const path = `/tenants/${tenantA.id}/users`;
      const json = { "content-type": "application/json" };
      expectProblem(await call(app, "POST", path, { raw: "{", headers: json }), 400);
      const big = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
      expectProblem(await call(app, "POST", path, { raw: big, headers: json }), 413);
      const text = { "content-type": "text/plain" };
      expectProblem(await call(app, "POST", path, { raw: "{}", headers: text }), 415);
    });
  });

  describe("GET /tenants/{tenantId}/users", () => {
    test("lists only the tenant's users, in creation order, page by page", async () => {
      const tenant = await createTenant("paging");
      const created = [];
      for (let i = 0; i < 5; i++) created.push((await createUser(tenant.id)).id);
      await createUser(tenantB.id);
      const first = await call(app, "GET", `/tenants/${tenant.id}/users?limit=3`);
      expect(first.status).toBe(200);
      expect(first.body.data.map((user: { id: string }) => user.id)).toEqual(created.slice(0, 3));
      const next = `/tenants/${tenant.id}/users?limit=3&cursor=${first.body.nextCursor}`;
      expect(first.headers.get("link")).toBe(`<${next}>; rel="next"`);
      const second = await call(app, "GET", next);
      expect(second.body.data.map((user: { id: string }) => user.id)).toEqual(created.slice(3));
      expect(second.body.nextCursor).toBeNull();
      expect(second.headers.get("link")).toBeNull();
      for (const user of [...first.body.data, ...second.body.data]) {
        expect(user).not.toHaveProperty("passwordHash");
        expect(user).not.toHaveProperty("password");
      }
    });

    test("filters by email in any case", async () => {
      const user = await createUser(tenantA.id, { email: "Filter.Me@Example.com" });
      const response = await call(
        app,
        "GET",
        `/tenants/${tenantA.id}/users?email=${encodeURIComponent("FILTER.me@example.COM")}`,
      );
      expect(response.body).toEqual({ data: [user], nextCursor: null });
    });

    test("404 for an unknown tenant; an empty page for a tenant without users", async () => {
      expectProblem(await call(app, "GET", `/tenants/${MISSING_ID}/users`), 404);
      expectProblem(await call(app, "GET", `/tenants/${MISSING_ID}/users?email=a%40b.co`), 404);
      const empty = await createTenant("no-users");
      const response = await call(app, "GET", `/tenants/${empty.id}/users`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: [], nextCursor: null });
    });

    test.each([
      "limit=0",
      "limit=101",
      "limit=2.5",
      "cursor=forged",
      "email=%00",
      "email=a%00b@x.io",
    ])("422 for %s", async (query) => {
      expectProblem(await call(app, "GET", `/tenants/${tenantA.id}/users?${query}`), 422);
    });
  });

  describe("GET /tenants/{tenantId}/users/{id}", () => {
    test("200 with the user", async () => {
      const user = await createUser(tenantA.id);
      const response = await call(app, "GET", `/tenants/${tenantA.id}/users/${user.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(user);
    });

    test("404 when the user belongs to another tenant, exactly as for an unknown id", async () => {
      const user = await createUser(tenantB.id);
      const foreign = await call(app, "GET", `/tenants/${tenantA.id}/users/${user.id}`);
      const missing = await call(app, "GET", `/tenants/${tenantA.id}/users/${MISSING_ID}`);
      expect(withoutRequestId(expectProblem(foreign, 404))).toEqual(
        withoutRequestId(expectProblem(missing, 404)),
      );
    });

    test("422 for a malformed id", async () => {
      expectProblem(await call(app, "GET", `/tenants/${tenantA.id}/users/123`), 422);
    });

    test("finds the user by ids in upper case, and changes and deletes it that way too", async () => {
      const user = await createUser(tenantA.id);
      const path = `/tenants/${tenantA.id.toUpperCase()}/users/${user.id.toUpperCase()}`;
      expect((await call(app, "GET", path)).body).toEqual(user);
      const patched = await call(app, "PATCH", path, { body: { name: "Upper" } });
      expect(patched.body).toMatchObject({ id: user.id, tenantId: tenantA.id, name: "Upper" });
      expect((await call(app, "DELETE", path)).status).toBe(204);
      expectProblem(await call(app, "GET", `/tenants/${tenantA.id}/users/${user.id}`), 404);
    });
  });

  describe("PATCH /tenants/{tenantId}/users/{id}", () => {
    test("200 with the changes, the email lower-cased and updatedAt moved", async () => {
      const user = await createUser(tenantA.id);
      await Bun.sleep(5);
      const response = await call(app, "PATCH", `/tenants/${tenantA.id}/users/${user.id}`, {
        body: { email: "New.Address@Example.com", role: "admin", isActive: false },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: user.id,
        email: "new.address@example.com",
        role: "admin",
        isActive: false,
        createdAt: user.createdAt,
      });
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThan(Date.parse(user.updatedAt));
    });

    test("a new password replaces the hash", async () => {
      const user = await createUser(tenantA.id);
      const { db } = database();
      const readHash = async () => {
        const row =
          db.dialect === "postgres"
            ? (await db.sql`select password_hash from users where id = ${user.id}`)[0]
            : db.sqlite.query("select password_hash from users where id = ?").get(user.id);
        return (row as { password_hash: string }).password_hash;
      };
      const response = await call(app, "PATCH", `/tenants/${tenantA.id}/users/${user.id}`, {
        body: { password: "a brand new secret" },
      });
      expect(response.status).toBe(200);
      expect(await Bun.password.verify("a brand new secret", await readHash())).toBe(true);
    });

    test("404 for a user of another tenant, and it stays unchanged", async () => {
      const user = await createUser(tenantB.id);
      const response = await call(app, "PATCH", `/tenants/${tenantA.id}/users/${user.id}`, {
        body: { name: "Hijacked" },
      });
      expectProblem(response, 404);
      expect((await call(app, "GET", `/tenants/${tenantB.id}/users/${user.id}`)).body).toEqual(
        user,
      );
    });

    test("409 when the new email is taken in the tenant", async () => {
      const [first, second] = [await createUser(tenantA.id), await createUser(tenantA.id)];
      const response = await call(app, "PATCH", `/tenants/${tenantA.id}/users/${second.id}`, {
        body: { email: first.email },
      });
      expectProblem(response, 409);
    });

    test.each([
      ["an empty body", {}],
      ["a tenantId", { tenantId: MISSING_ID }],
      ["a passwordHash", { passwordHash: "x" }],
      ["an unknown role", { role: "superuser" }],
      ["a null name", { name: null }],
    ])("422 for %s, and nothing changes", async (_, body) => {
      const user = await createUser(tenantA.id);
      const path = `/tenants/${tenantA.id}/users/${user.id}`;
      expectProblem(await call(app, "PATCH", path, { body }), 422);
      expect((await call(app, "GET", path)).body).toEqual(user);
    });
  });

  describe("DELETE /tenants/{tenantId}/users/{id}", () => {
    test("204, then 404", async () => {
      const user = await createUser(tenantA.id);
      const path = `/tenants/${tenantA.id}/users/${user.id}`;
      const response = await call(app, "DELETE", path);
      expect(response.status).toBe(204);
      expectProblem(await call(app, "GET", path), 404);
      expectProblem(await call(app, "DELETE", path), 404);
    });

    test("404 for a user of another tenant, which survives", async () => {
      const user = await createUser(tenantB.id);
      expectProblem(await call(app, "DELETE", `/tenants/${tenantA.id}/users/${user.id}`), 404);
      expect((await call(app, "GET", `/tenants/${tenantB.id}/users/${user.id}`)).status).toBe(200);
    });
  });
});
