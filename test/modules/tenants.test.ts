import { beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { describeEachDialectAndPgbouncer } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp } from "../helpers/http";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MISSING_ID = "01936d7a-0000-7000-8000-000000000000";

describeEachDialectAndPgbouncer("tenants", (database) => {
  let app: TestApp;
  let counter = 0;
  const slug = () => `t-${Date.now().toString(36)}-${++counter}`;
  const createTenant = async (name = "Acme") => {
    const response = await call(app, "POST", "/tenants", { body: { name, slug: slug() } });
    expect(response.status).toBe(201);
    const { apiKey: _, ...tenant } = response.body;
    return tenant;
  };

  beforeAll(() => {
    app = buildApp(database().db);
  });

  describe("POST /tenants", () => {
    test("201 with the tenant, a UUIDv7 id, ISO timestamps and Location", async () => {
      const response = await call(app, "POST", "/tenants", {
        body: { name: "  Acme Corp  ", slug: "acme-corp" },
      });
      expect(response.status).toBe(201);
      const { apiKey, ...tenant } = response.body;
      expect(tenant).toEqual({
        id: expect.stringMatching(UUID_V7),
        name: "Acme Corp",
        slug: "acme-corp",
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
      const tenantHex = tenant.id.replaceAll("-", "");
      expect(apiKey).toMatch(new RegExp(`^tak_[a-z2-7]{16}_${tenantHex}_[A-Za-z0-9_-]{43}$`));
      expect(response.headers.get("location")).toBe(`/tenants/${tenant.id}`);
      const fetched = await call(app, "GET", `/tenants/${tenant.id}`);
      expect(fetched.body).toEqual(tenant);
      const ownKey = await call(app, "GET", `/tenants/${tenant.id}`, { token: apiKey });
      expect(ownKey.body).toEqual(tenant);
    });

    test("409 when the slug is taken", async () => {
      const first = await createTenant();
      const response = await call(app, "POST", "/tenants", {
        body: { name: "Other", slug: first.slug },
      });
      const problem = expectProblem(response, 409);
      expect(problem.errors).toEqual([{ path: "/slug", message: "is already taken" }]);
      expect(JSON.stringify(problem)).not.toMatch(/insert|duplicate|constraint/i);
    });

    test.each([
      ["a missing name", { slug: "ok" }, "/name"],
      ["an empty name", { name: "", slug: "ok" }, "/name"],
      ["a blank name", { name: "   ", slug: "ok" }, "/name"],
      ["a name over 200 characters", { name: "x".repeat(201), slug: "ok" }, "/name"],
      ["a NUL in the name", { name: "a\u0000b", slug: "ok" }, "/name"],
      ["an upper-case slug", { name: "A", slug: "Acme" }, "/slug"],
      ["a slug with a leading hyphen", { name: "A", slug: "-acme" }, "/slug"],
      ["a slug with a trailing hyphen", { name: "A", slug: "acme-" }, "/slug"],
      ["a slug of 64 characters", { name: "A", slug: "a".repeat(64) }, "/slug"],
      ["a numeric name", { name: 5, slug: "ok" }, "/name"],
      ["an unknown property", { name: "A", slug: "ok", plan: "pro" }, "/plan"],
      ["a client-chosen id", { name: "A", slug: "ok", id: MISSING_ID }, "/id"],
    ])("422 for %s", async (_, body, path) => {
      const problem = expectProblem(await call(app, "POST", "/tenants", { body }), 422);
      expect(problem.errors?.map((error) => error.path)).toContain(path);
    });

    test("accepts a name of exactly 200 characters and a slug of 63", async () => {
      const body = { name: "n".repeat(200), slug: `${"s".repeat(62)}${counter++ % 10}` };
      const response = await call(app, "POST", "/tenants", { body });
      expect(response.status).toBe(201);
      expect(response.body.name).toHaveLength(200);
    });

    test("422 for an unpaired surrogate, which would be stored as U+FFFD", async () => {
      const response = await call(app, "POST", "/tenants", {
        raw: '{"name": "a\\ud800b", "slug": "lone-surrogate"}',
        headers: { "content-type": "application/json" },
      });
      expect(expectProblem(response, 422).errors?.[0]?.path).toBe("/name");
    });

    test("stores any other Unicode text exactly as sent", async () => {
      const name = "Ünïcødé 😀 株式会社 \u202e";
      const response = await call(app, "POST", "/tenants", { body: { name, slug: slug() } });
      expect(response.status).toBe(201);
      expect((await call(app, "GET", `/tenants/${response.body.id}`)).body.name).toBe(name);
    });

    test("400 for malformed JSON", async () => {
      const response = await call(app, "POST", "/tenants", {
        raw: '{"name": "A",',
        headers: { "content-type": "application/json" },
      });
      expectProblem(response, 400);
    });

    test("415 for a body that is not JSON", async () => {
      const response = await call(app, "POST", "/tenants", {
        raw: "name=A&slug=a",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expectProblem(response, 415);
    });

    test("413 for a body over 1 MiB", async () => {
      const raw = JSON.stringify({ name: "A", slug: "big", pad: "x".repeat(1024 * 1024) });
      const response = await call(app, "POST", "/tenants", {
        raw,
        headers: { "content-type": "application/json" },
      });
      expectProblem(response, 413);
    });

    test("a failing first-key insert leaves no tenant behind: the two rows are one write", async () => {
      const { db } = database();
      // Real failures: triggers that refuse every new key, and every delete of a tenant, so that
      // no compensating delete could hide a tenant created on its own.
      const refuse =
        db.dialect === "postgres"
          ? () =>
              db.sql.unsafe(`
                create function refuse_key() returns trigger language plpgsql
                  as $$ begin raise exception 'refused'; end $$;
                create trigger refuse_key before insert on api_keys
                  for each row execute function refuse_key();
                create trigger refuse_delete before delete on tenants
                  for each row execute function refuse_key()`)
          : () =>
              db.sqlite.exec(`create trigger refuse_key before insert on api_keys
                begin select raise(abort, 'refused'); end;
                create trigger refuse_delete before delete on tenants
                begin select raise(abort, 'refused'); end`);
      const allow =
        db.dialect === "postgres"
          ? () =>
              db.sql.unsafe(`drop trigger refuse_key on api_keys;
                drop trigger refuse_delete on tenants; drop function refuse_key()`)
          : () => db.sqlite.exec("drop trigger refuse_key; drop trigger refuse_delete");
      await refuse();
      const keyless = slug();
      try {
        const response = await call(app, "POST", "/tenants", {
          body: { name: "Keyless", slug: keyless },
        });
        expectProblem(response, 500);
      } finally {
        await allow();
      }
      const { tenants } = db.tables;
      const left = await db.orm.select().from(tenants).where(eq(tenants.slug, keyless));
      expect(left).toEqual([]);
      // The slug is free: nothing of the failed create was committed.
      const again = await call(app, "POST", "/tenants", { body: { name: "Keyed", slug: keyless } });
      expect(again.status).toBe(201);
    });
  });

  describe("GET /tenants", () => {
    test("pages through every tenant in creation order with an opaque cursor", async () => {
      const created = [
        await createTenant("p1"),
        await createTenant("p2"),
        await createTenant("p3"),
      ];
      const seen: string[] = [];
      // Each page links the next one (RFC 8288), beside its nextCursor; the last links none.
      let next: string | null = "/tenants?limit=2";
      let pages = 0;
      while (next !== null && pages < 1000) {
        const response = await call(app, "GET", next);
        expect(response.status).toBe(200);
        expect(response.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.data.map((tenant: { id: string }) => tenant.id));
        const cursor = response.body.nextCursor;
        const link = response.headers.get("link");
        expect(link).toBe(
          cursor === null ? null : `</tenants?limit=2&cursor=${cursor}>; rel="next"`,
        );
        next = link?.match(/^<([^>]+)>; rel="next"$/)?.[1] ?? null;
        pages++;
      }
      expect(pages).toBeGreaterThan(1);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      for (const tenant of created) expect(seen).toContain(tenant.id);
    });

    test("defaults to 20 rows", async () => {
      while ((await call(app, "GET", "/tenants?limit=100")).body.data.length < 21) {
        await createTenant();
      }
      const response = await call(app, "GET", "/tenants");
      expect(response.body.data).toHaveLength(20);
      expect(response.body.nextCursor).toEqual(expect.any(String));
    });

    test.each(["0", "101", "-1", "1.5", "1e9", "abc", ""])("422 for limit=%s", async (limit) => {
      const problem = expectProblem(await call(app, "GET", `/tenants?limit=${limit}`), 422);
      expect(problem.errors?.[0]?.path).toBe("/limit");
    });

    test.each(["garbage", "djE6bm90LWEtdXVpZA", "%00", "a".repeat(300)])(
      "422 for a forged cursor %#",
      async (cursor) => {
        const problem = expectProblem(await call(app, "GET", `/tenants?cursor=${cursor}`), 422);
        expect(problem.errors?.[0]?.path).toBe("/cursor");
      },
    );
  });

  describe("GET /tenants/{id}", () => {
    test("404 for an unknown id", async () => {
      expectProblem(await call(app, "GET", `/tenants/${MISSING_ID}`), 404);
    });

    test("422 for a malformed id", async () => {
      const problem = expectProblem(await call(app, "GET", "/tenants/not-a-uuid"), 422);
      expect(problem.errors?.[0]?.path).toBe("/tenantId");
    });

    test("finds a tenant by its id in upper case", async () => {
      const tenant = await createTenant();
      const response = await call(app, "GET", `/tenants/${tenant.id.toUpperCase()}`);
      expect(response.body.id).toBe(tenant.id);
    });
  });

  describe("PATCH /tenants/{id}", () => {
    test("200 with the change applied and updatedAt moved", async () => {
      const tenant = await createTenant();
      await Bun.sleep(5);
      const response = await call(app, "PATCH", `/tenants/${tenant.id}`, {
        body: { name: " Renamed " },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: tenant.id, name: "Renamed", slug: tenant.slug });
      expect(response.body.createdAt).toBe(tenant.createdAt);
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThan(Date.parse(tenant.updatedAt));
    });

    test("404 for an unknown id", async () => {
      expectProblem(
        await call(app, "PATCH", `/tenants/${MISSING_ID}`, { body: { name: "x" } }),
        404,
      );
    });

    test("409 when the new slug is taken", async () => {
      const [first, second] = [await createTenant(), await createTenant()];
      const response = await call(app, "PATCH", `/tenants/${second.id}`, {
        body: { slug: first.slug },
      });
      expectProblem(response, 409);
    });

    test.each([
      ["an empty body", {}],
      ["a bad slug", { slug: "Bad Slug" }],
      ["an id", { id: MISSING_ID }],
      ["createdAt", { createdAt: "2020-01-01T00:00:00.000Z" }],
    ])("422 for %s, and nothing changes", async (_, body) => {
      const tenant = await createTenant();
      expectProblem(await call(app, "PATCH", `/tenants/${tenant.id}`, { body }), 422);
      expect((await call(app, "GET", `/tenants/${tenant.id}`)).body).toEqual(tenant);
    });
  });

  describe("DELETE /tenants/{id}", () => {
    test("204, then 404, and its users are gone with it", async () => {
      const tenant = await createTenant();
      const user = await call(app, "POST", `/tenants/${tenant.id}/users`, {
        body: { email: "gone@example.com", name: "Gone", password: "long enough" },
      });
      expect(user.status).toBe(201);
      const response = await call(app, "DELETE", `/tenants/${tenant.id}`);
      expect(response.status).toBe(204);
      expect(response.body).toBe("");
      expectProblem(await call(app, "GET", `/tenants/${tenant.id}`), 404);
      expectProblem(await call(app, "GET", `/tenants/${tenant.id}/users/${user.body.id}`), 404);
      const { db } = database();
      const remaining =
        db.dialect === "postgres"
          ? await db.sql`select count(*)::int as n from users where tenant_id = ${tenant.id}`
          : [db.sqlite.query("select count(*) as n from users where tenant_id = ?").get(tenant.id)];
      expect(remaining[0]).toEqual({ n: 0 });
    });

    test("404 for an unknown id", async () => {
      expectProblem(await call(app, "DELETE", `/tenants/${MISSING_ID}`), 404);
    });
  });
});
