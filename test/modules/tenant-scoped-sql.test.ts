import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { parseDatabaseUrl } from "../../src/config";
import { type Database, openDatabase } from "../../src/db/client";
import { loadPostgresParser } from "../../src/db/migrations/lint/postgres-parse";
import { MAX_FAILURES } from "../../src/modules/credentials/service";
import { describeEachDialect } from "../helpers/databases";
import { buildApp, call, type TestApp } from "../helpers/http";
import { readLiveKeys } from "../helpers/tenant-schema";
import { numberPlaceholders, statementScope } from "../helpers/tenant-sql";

/**
 * Every statement the API sends names its tenant on the tenant-owned tables it touches, so that
 * a database distributed by tenant (Citus, docs/scaling.md) runs it on one shard. The scenario
 * calls every route of the OpenAPI document, on both dialects, and records what drizzle sends.
 */

/** The statements that may name no tenant, each with the reason. Keep it short. */
const ALLOWED: { statement: RegExp; reason: string }[] = [
  {
    statement: /^select .+ from "api_keys" where "api_keys"\."key_id" = \$1$/,
    reason:
      "a key issued before keys carried their tenant id (tak_<key id>_<secret>) is found by its key id alone; on Citus this lookup goes to every shard",
  },
];

const PASSWORD = "correct horse battery staple";
const normalize = (statement: string) =>
  numberPlaceholders(statement)
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase()
    // drizzle's SQLite upserts qualify the conflict target's columns, which PostgreSQL's parser
    // does not take: `on conflict ("t"."a", "t"."b")` reads as `on conflict ("a", "b")`.
    .replace(
      / on conflict \(([^)]*)\)/,
      (_, columns: string) => ` on conflict (${columns.replace(/"[^"]+"\./g, "")})`,
    );

describe("the tenant scope check", () => {
  const owned = new Set(["users", "api_keys"]);
  beforeAll(() => loadPostgresParser());

  test.each([
    `select "id" from "users" where ("users"."tenant_id" = $1 and "users"."id" = $2)`,
    `select "id" from "users" where "tenant_id" = $1::uuid order by "id" limit $2`,
    `update "api_keys" set "name" = $1 where ("api_keys"."id" = $2 and "api_keys"."tenant_id" = $3)`,
    `delete from "users" u where u.tenant_id = 'a' and u.id = $1`,
    `insert into "users" ("id", "tenant_id") values ($1, $2), ($3, $4) returning "id"`,
    `select "id", "slug" from "tenants" where "tenants"."id" = $1`,
  ])("names its tenant: %s", (statement) => {
    expect(statementScope(statement, owned).problems).toEqual([]);
  });

  test.each([
    `select "id" from "users" where "users"."id" = $1`,
    `select "id" from "users" where ("users"."tenant_id" = $1 or "users"."id" = $2)`,
    `select "id" from "users" where "users"."tenant_id" = "users"."id"`,
    `select "id" from "users" where "users"."tenant_id" is null`,
    `select "id" from "tenants" where "id" in (select "tenant_id" from "users" where "email" = $1)`,
    `update "users" set "name" = $1 where "users"."id" = $2`,
    `delete from "api_keys" where "api_keys"."key_id" = $1`,
    `insert into "users" ("id", "email") values ($1, $2)`,
    `insert into "users" ("id", "tenant_id") values ($1, default)`,
    `insert into "users" ("id", "tenant_id") select "id", "tenant_id" from "staging"`,
    `select "u"."id" from "users" "u" join "api_keys" "k" on "k"."tenant_id" = "u"."tenant_id" where "u"."tenant_id" = $1`,
    `create index "users_name_idx" on "users" ("name")`,
  ])("does not: %s", (statement) => {
    expect(statementScope(statement, owned).problems).not.toEqual([]);
  });

  test("SQLite's placeholders are numbered outside quotes", () => {
    expect(numberPlaceholders(`select "a?" from "t" where "x" = ? and y = '?' and z = ?`)).toBe(
      `select "a?" from "t" where "x" = $1 and y = '?' and z = $2`,
    );
  });
});

describeEachDialect("every statement of the API names its tenant", (database) => {
  const recorded: string[] = [];
  let recording = false;
  let db: Database;
  let app: TestApp;
  const requested = new Set<string>();
  const send = (...args: Parameters<typeof call>) => {
    const [, method, path] = args;
    requested.add(`${method.toLowerCase()} ${path.split("?")[0]}`);
    return call(...args);
  };

  beforeAll(async () => {
    await loadPostgresParser();
    // A second handle on the migrated database, whose query builder reports what it sends.
    db = openDatabase(parseDatabaseUrl(database().url), {
      queryLogger: { logQuery: (query) => void (recording && recorded.push(query)) },
    });
    app = buildApp(db);
  });
  afterAll(() => db?.close());

  test("a scenario through every route sends no statement that names no tenant, but those allowed", async () => {
    // What an earlier version issued: a key without its tenant in it, stored before recording.
    const admin = await send(app, "POST", "/tenants", { body: { name: "Acme", slug: "acme" } });
    const acme: { id: string; apiKey: string } = admin.body;
    const legacySecret = randomBytes(32).toString("base64url");
    await db.orm.insert(db.tables.apiKeys).values({
      tenantId: acme.id,
      keyId: "olderkeyaaaaaaaa",
      secretHash: createHash("sha256").update(legacySecret).digest("hex"),
      name: "older",
    });
    recorded.length = 0;
    recording = true;

    const key = acme.apiKey;
    const t = `/tenants/${acme.id}`;
    const globex = (
      await send(app, "POST", "/tenants", { body: { name: "Globex", slug: "globex" } })
    ).body;
    const statuses: number[] = [];
    const expectStatus = async (expected: number, response: Promise<{ status: number }>) =>
      statuses.push((await response).status === expected ? expected : -(await response).status);

    await expectStatus(200, send(app, "GET", "/tenants?limit=1"));
    const page = await send(app, "GET", "/tenants?limit=1");
    await expectStatus(200, send(app, "GET", `/tenants?limit=1&cursor=${page.body.nextCursor}`));
    await expectStatus(200, send(app, "GET", t, { token: key }));
    await expectStatus(200, send(app, "PATCH", t, { token: key, body: { name: "Acme Inc" } }));
    await expectStatus(409, send(app, "PATCH", t, { token: key, body: { slug: "globex" } }));
    const users: string[] = [];
    for (const email of ["ada@example.com", "bob@example.com"]) {
      const created = await send(app, "POST", `${t}/users`, {
        token: key,
        body: { email, name: "User", password: PASSWORD },
      });
      users.push(created.body.id);
    }
    await expectStatus(
      409,
      send(app, "POST", `${t}/users`, {
        token: key,
        body: { email: "ada@example.com", name: "Again", password: PASSWORD },
      }),
    );
    const first = await send(app, "GET", `${t}/users?limit=1`, { token: key });
    await expectStatus(
      200,
      send(app, "GET", `${t}/users?limit=1&cursor=${first.body.nextCursor}`, { token: key }),
    );
    await expectStatus(200, send(app, "GET", `${t}/users?email=ADA@example.com`, { token: key }));
    await expectStatus(200, send(app, "GET", `/tenants/${globex.id}/users`));
    await expectStatus(200, send(app, "GET", `${t}/users/${users[0]}`, { token: key }));
    await expectStatus(404, send(app, "GET", `/tenants/${globex.id}/users/${users[0]}`));
    await expectStatus(
      200,
      send(app, "PATCH", `${t}/users/${users[0]}`, {
        token: key,
        body: { name: "Ada L", password: "another long password" },
      }),
    );
    const verify = (password: string) =>
      send(app, "POST", `${t}/credentials/verify`, {
        token: key,
        body: { email: "bob@example.com", password },
      });
    await expectStatus(200, verify(PASSWORD));
    for (let i = 0; i < MAX_FAILURES; i++) await expectStatus(401, verify("wrong password"));
    await expectStatus(429, verify(PASSWORD));
    // Creates with an Idempotency-Key write their stored answer in the same statement, and a
    // retry reads it back.
    for (let round = 0; round < 2; round++) {
      const headers = { "idempotency-key": "scoped-sql-user" };
      const body = { email: "idem@example.com", name: "Idem", password: PASSWORD };
      await expectStatus(201, send(app, "POST", `${t}/users`, { token: key, body, headers }));
    }
    const issued = await send(app, "POST", `${t}/api-keys`, {
      token: key,
      body: { name: "ci" },
      headers: { "idempotency-key": "scoped-sql-key" },
    });
    await expectStatus(200, send(app, "GET", t, { token: issued.body.apiKey }));
    const keys = await send(app, "GET", `${t}/api-keys?limit=1`, { token: key });
    await expectStatus(
      200,
      send(app, "GET", `${t}/api-keys?limit=1&cursor=${keys.body.nextCursor}`, { token: key }),
    );
    // Conditional writes: the version compared in the statement, and the look that tells 404 from 412.
    const staleKeyTag = { "if-match": `"${issued.body.id}-2"` };
    const staleTag = { "if-match": `"${users[0]}-1"` };
    await expectStatus(
      412,
      send(app, "DELETE", `${t}/api-keys/${issued.body.id}`, { token: key, headers: staleKeyTag }),
    );
    await expectStatus(
      412,
      send(app, "DELETE", `${t}/users/${users[0]}`, { token: key, headers: staleTag }),
    );
    const userNow = await send(app, "GET", `${t}/users/${users[0]}`, { token: key });
    const current = userNow.headers.get("etag") ?? "";
    await expectStatus(
      304,
      send(app, "GET", `${t}/users/${users[0]}`, {
        token: key,
        headers: { "if-none-match": current },
      }),
    );
    await expectStatus(
      412,
      send(app, "PATCH", `${t}/users/${users[0]}`, {
        token: key,
        body: { name: "Stale" },
        headers: staleTag,
      }),
    );
    await expectStatus(
      412,
      send(app, "PATCH", `${t}/users/${users[0]}`, {
        token: key,
        body: { name: "Weak" },
        headers: { "if-match": `W/${current}` },
      }),
    );
    const changed = await send(app, "PATCH", `${t}/users/${users[0]}`, {
      token: key,
      body: { name: "Tagged" },
      headers: { "if-match": current },
    });
    await expectStatus(
      200,
      send(app, "PATCH", `${t}/users/${users[0]}`, {
        token: key,
        body: { name: "Listed" },
        headers: { "if-match": `${current}, ${changed.headers.get("etag")}` },
      }),
    );
    const tenantNow = await send(app, "GET", t, { token: key });
    await expectStatus(
      200,
      send(app, "PATCH", t, {
        token: key,
        body: { name: "Acme Tagged" },
        headers: { "if-match": tenantNow.headers.get("etag") ?? "" },
      }),
    );
    await expectStatus(
      412,
      send(app, "PATCH", t, {
        token: key,
        body: { name: "Acme Stale" },
        headers: { "if-match": tenantNow.headers.get("etag") ?? "" },
      }),
    );
    await expectStatus(
      204,
      send(app, "DELETE", `${t}/api-keys/${issued.body.id}`, {
        token: key,
        headers: { "if-match": issued.headers.get("etag") ?? "" },
      }),
    );
    await expectStatus(401, send(app, "GET", t, { token: issued.body.apiKey }));
    await expectStatus(200, send(app, "GET", t, { token: `tak_olderkeyaaaaaaaa_${legacySecret}` }));
    await expectStatus(204, send(app, "DELETE", `${t}/users/${users[1]}`, { token: key }));
    await expectStatus(404, send(app, "DELETE", `${t}/users/${users[1]}`, { token: key }));
    await expectStatus(200, send(app, "GET", "/health", { token: null }));
    await expectStatus(200, send(app, "GET", "/ready", { token: null }));
    await expectStatus(204, send(app, "DELETE", `/tenants/${globex.id}`));
    recording = false;
    expect(statuses.filter((status) => status < 0)).toEqual([]);

    // Every documented operation was called.
    const document = (await call(app, "GET", "/swagger/json", { token: null })).body;
    const operations = Object.entries(document.paths as Record<string, object>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method} ${path}`),
    );
    const called = (operation: string) => {
      const pattern = new RegExp(`^${operation.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      return [...requested].some((request) => pattern.test(request));
    };
    expect(operations.filter((operation) => !called(operation))).toEqual([]);

    // And every statement they sent names its tenant, but those allowed.
    const { tenantOwned } = await readLiveKeys(database().db);
    const owned = new Set(tenantOwned);
    const used = new Set<string>();
    const touched = new Set<string>();
    const read = new Set<string>();
    const unscoped: string[] = [];
    for (const raw of recorded) {
      const statement = normalize(raw);
      const scope = statementScope(statement, owned);
      for (const table of scope.tables) touched.add(table);
      if (statement.startsWith("select")) for (const table of scope.tables) read.add(table);
      if (scope.problems.length === 0) continue;
      const allowed = ALLOWED.find((entry) => entry.statement.test(statement));
      if (allowed) used.add(allowed.reason);
      else unscoped.push(`${statement}: ${scope.problems.join("; ")}`);
    }
    expect(unscoped).toEqual([]);
    // The recording saw every tenant-owned table written and read (reads may take another pool),
    // and each allowance is still needed.
    expect([...touched].sort()).toEqual([...owned].sort());
    expect([...read].sort()).toEqual([...owned].sort());
    expect(recorded.length).toBeGreaterThan(50);
    expect([...used].sort()).toEqual(ALLOWED.map((entry) => entry.reason).sort());
  }, 60_000);
});
