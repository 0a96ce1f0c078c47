import { beforeAll, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { describeEachDialectAndPgbouncer } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp } from "../helpers/http";

const MISSING_ID = "01936d7a-0000-7000-8000-000000000000";
// A key's secret is its last 43 characters, after its key id and its tenant's hex digits.
const secretOf = (apiKey: string) => apiKey.slice(-43);

describeEachDialectAndPgbouncer("API keys", (database) => {
  let app: TestApp;
  let tenant: { id: string; apiKey: string };
  let other: { id: string; apiKey: string };

  beforeAll(async () => {
    app = buildApp(database().db);
    tenant = (await call(app, "POST", "/tenants", { body: { name: "Keys", slug: "keys" } })).body;
    other = (await call(app, "POST", "/tenants", { body: { name: "Other", slug: "other" } })).body;
  });

  test("POST issues a working key, shown once with its public prefix", async () => {
    const response = await call(app, "POST", `/tenants/${tenant.id}/api-keys`, {
      body: { name: " deploy bot " },
      token: tenant.apiKey,
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      prefix: expect.stringMatching(/^tak_[a-z2-7]{16}$/),
      name: "deploy bot",
      createdAt: expect.any(String),
      apiKey: expect.stringMatching(/^tak_[a-z2-7]{16}_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/),
    });
    expect(response.body.apiKey.startsWith(`${response.body.prefix}_`)).toBe(true);
    // The key names its tenant, so that its lookup can name it too.
    expect(response.body.apiKey).toContain(`_${tenant.id.replaceAll("-", "")}_`);
    expect(
      (await call(app, "GET", `/tenants/${tenant.id}`, { token: response.body.apiKey })).status,
    ).toBe(200);
  });

  test("GET lists keys with prefix and lastUsedAt, never a secret or hash", async () => {
    const created = await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: {} });
    await call(app, "GET", `/tenants/${tenant.id}`, { token: created.body.apiKey });
    const response = await call(app, "GET", `/tenants/${tenant.id}/api-keys?limit=100`);
    expect(response.status).toBe(200);
    const listed = response.body.data.find((key: { id: string }) => key.id === created.body.id);
    expect(Object.keys(listed).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix"]);
    expect(listed.name).toBeNull();
    expect(Date.parse(listed.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    const secret = secretOf(created.body.apiKey);
    expect(JSON.stringify(response.body)).not.toContain(secret);
    expect(JSON.stringify(response.body)).not.toMatch(/hash/i);
    for (const key of response.body.data) expect(key.prefix).toMatch(/^tak_/);
  });

  test("DELETE: 404 for an unknown key and for another tenant's key, which keeps working", async () => {
    expectProblem(await call(app, "DELETE", `/tenants/${tenant.id}/api-keys/${MISSING_ID}`), 404);
    const othersKeys = await call(app, "GET", `/tenants/${other.id}/api-keys`);
    const foreignId = othersKeys.body.data[0].id;
    expectProblem(await call(app, "DELETE", `/tenants/${tenant.id}/api-keys/${foreignId}`), 404);
    expect((await call(app, "GET", `/tenants/${other.id}`, { token: other.apiKey })).status).toBe(
      200,
    );
  });

  test("a key issued before keys carried their tenant keeps working until revoked", async () => {
    // What an earlier version stored: a key id, the SHA-256 of the secret, no tenant in the key.
    const keyId = "legacykeyaaaaaaa";
    const secret = randomBytes(32).toString("base64url");
    const { orm, tables } = database().db;
    const [row] = await orm
      .insert(tables.apiKeys)
      .values({
        tenantId: tenant.id,
        keyId,
        secretHash: createHash("sha256").update(secret).digest("hex"),
        name: "legacy",
      })
      .returning({ id: tables.apiKeys.id });
    const legacyKey = `tak_${keyId}_${secret}`;
    expect((await call(app, "GET", `/tenants/${tenant.id}`, { token: legacyKey })).status).toBe(
      200,
    );
    expectProblem(await call(app, "GET", `/tenants/${other.id}`, { token: legacyKey }), 404);
    const wrongSecret = `tak_${keyId}_${randomBytes(32).toString("base64url")}`;
    expectProblem(await call(app, "GET", `/tenants/${tenant.id}`, { token: wrongSecret }), 401);
    await call(app, "DELETE", `/tenants/${tenant.id}/api-keys/${row?.id}`);
    expectProblem(await call(app, "GET", `/tenants/${tenant.id}`, { token: legacyKey }), 401);
  });

  test("a key whose tenant digits name another tenant is refused", async () => {
    const own = tenant.id.replaceAll("-", "");
    const foreign = other.id.replaceAll("-", "");
    const moved = tenant.apiKey.replace(`_${own}_`, `_${foreign}_`);
    expect(moved).not.toBe(tenant.apiKey);
    expectProblem(await call(app, "GET", `/tenants/${other.id}`, { token: moved }), 401);
    expectProblem(await call(app, "GET", `/tenants/${tenant.id}`, { token: moved }), 401);
    expect((await call(app, "GET", `/tenants/${tenant.id}`, { token: tenant.apiKey })).status).toBe(
      200,
    );
  });

  test.each([
    ["an unknown property", { name: "x", secretHash: "0".repeat(64) }],
    ["a name over 200 characters", { name: "n".repeat(201) }],
    ["a blank name", { name: "  " }],
  ])("422 for %s", async (_, body) => {
    expectProblem(await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body }), 422);
  });

  test("404 for the keys of a tenant that does not exist", async () => {
    expectProblem(await call(app, "GET", `/tenants/${MISSING_ID}/api-keys`), 404);
    expectProblem(await call(app, "POST", `/tenants/${MISSING_ID}/api-keys`, { body: {} }), 404);
  });

  test("the stored data holds no key secret and no password; hashes are argon2id at OWASP's minimum", async () => {
    const secrets: string[] = [tenant.apiKey, other.apiKey];
    for (let i = 0; i < 3; i++) {
      secrets.push(
        (await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: {} })).body.apiKey,
      );
    }
    const passwords = ["first secret password", "second secret password"];
    for (const [i, password] of passwords.entries()) {
      const created = await call(app, "POST", `/tenants/${tenant.id}/users`, {
        body: { email: `dump${i}@example.com`, name: "Dump", password },
      });
      expect(created.status).toBe(201);
    }
    const { db, url } = database();
    let dump: string;
    let hashes: string[];
    if (db.dialect === "postgres") {
      const result = Bun.spawnSync(["pg_dump", "--data-only", url]);
      expect(result.exitCode).toBe(0);
      dump = result.stdout.toString();
      hashes = (await db.sql<{ h: string }[]>`select password_hash as h from users`).map(
        (row) => row.h,
      );
    } else {
      db.sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const path = url.slice("file:".length);
      dump = [path, `${path}-wal`]
        .filter((file) => existsSync(file))
        .map((file) => readFileSync(file).toString("latin1"))
        .join("\n");
      hashes = db.sqlite
        .query<{ h: string }, []>("select password_hash as h from users")
        .all()
        .map((row) => row.h);
    }
    expect(dump).toContain("dump0@example.com"); // the dump does hold the data
    for (const key of secrets) expect(dump).not.toContain(secretOf(key));
    for (const password of passwords) expect(dump).not.toContain(password);
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    for (const hash of hashes) {
      const match = hash.match(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/);
      expect(match).not.toBeNull();
      expect(Number(match?.[1])).toBeGreaterThanOrEqual(19_456);
      expect(Number(match?.[2])).toBeGreaterThanOrEqual(2);
    }
  });
});
