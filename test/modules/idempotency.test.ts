import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import type { Database } from "../../src/db/client";
import { createIdempotencyStore } from "../../src/modules/idempotency/store";
import { describeEachDialectAndPgbouncer } from "../helpers/databases";
import {
  ADMIN_TOKEN,
  buildApp,
  call,
  expectProblem,
  type TestApp,
  type TestResponse,
} from "../helpers/http";

const PASSWORD = "correct horse battery staple";
const newKey = () => crypto.randomUUID();

/** A POST with an Idempotency-Key, by the admin unless a token is given. */
const post = (
  app: TestApp,
  path: string,
  body: unknown,
  key: string,
  token: string = ADMIN_TOKEN,
): Promise<TestResponse> =>
  call(app, "POST", path, { body, token, headers: { "idempotency-key": key } });

/** What a retry must get again: status, Location, ETag and the body, byte for byte. */
const answerOf = (response: TestResponse) => ({
  status: response.status,
  location: response.headers.get("location"),
  etag: response.headers.get("etag"),
  body: JSON.stringify(response.body),
});

async function count(db: Database, table: string, where = "1 = 1"): Promise<number> {
  const statement = `select count(*) as n from ${table} where ${where}`;
  if (db.dialect === "postgres") {
    const [row] = await db.sql.unsafe<{ n: string }[]>(statement);
    return Number(row?.n);
  }
  return db.sqlite.query<{ n: number }, []>(statement).get()?.n ?? -1;
}

/** Waits until a request in flight has made its reservation. */
async function reservationSeen(db: Database): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await count(db, "idempotency_keys", "state = 'in_progress'")) === 0) {
    if (Date.now() > deadline) throw new Error("no request made its reservation");
    await Bun.sleep(1);
  }
}

async function run(db: Database, statement: string): Promise<void> {
  if (db.dialect === "postgres") await db.sql.unsafe(statement);
  else db.sqlite.exec(statement);
}

describeEachDialectAndPgbouncer("Idempotency-Key", (database) => {
  let app: TestApp;
  let tenant: { id: string; apiKey: string };

  beforeAll(async () => {
    app = buildApp(database().db);
    tenant = (await call(app, "POST", "/tenants", { body: { name: "Retry", slug: "retry" } })).body;
  });

  test("a retry of each create gets the first answer again, Idempotent-Replayed, and creates nothing", async () => {
    const { db } = database();
    const creates = [
      { path: "/tenants", body: { name: "Once", slug: "once" }, table: "tenants" },
      {
        path: `/tenants/${tenant.id}/users`,
        body: { email: "once@example.com", name: "Once", password: PASSWORD },
        table: "users",
      },
      { path: `/tenants/${tenant.id}/api-keys`, body: { name: "once" }, table: "api_keys" },
    ];
    for (const { path, body, table } of creates) {
      const key = newKey();
      const rows = await count(db, table);
      const first = await post(app, path, body, key);
      expect(first.status).toBe(201);
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      expect(first.headers.get("etag")).toStartWith(`"${first.body.id}-`);
      const retry = await post(app, path, body, key);
      expect(answerOf(retry)).toEqual(answerOf(first));
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(await count(db, table)).toBe(rows + 1);
    }
  });

  test("the first answer is the created row as it reads back, and a replayed API key works", async () => {
    const key = newKey();
    const created = await post(app, "/tenants", { name: " Spaced ", slug: "spaced" }, key);
    expect(created.status).toBe(201);
    const replayed = await post(app, "/tenants", { name: " Spaced ", slug: "spaced" }, key);
    const { apiKey, ...shown } = replayed.body;
    const read = await call(app, "GET", `/tenants/${shown.id}`);
    expect(read.body).toEqual(shown);
    expect(read.headers.get("etag")).toBe(replayed.headers.get("etag"));
    expect((await call(app, "GET", `/tenants/${shown.id}`, { token: apiKey })).status).toBe(200);

    // Defaults (role, isActive) and the lower-cased email are answered as stored.
    const user = await post(
      app,
      `/tenants/${tenant.id}/users`,
      { email: "Defaults@Example.com", name: "Defaults", password: PASSWORD },
      newKey(),
    );
    expect(user.body).toMatchObject({
      email: "defaults@example.com",
      role: "member",
      isActive: true,
    });
    const readUser = await call(app, "GET", user.headers.get("location") ?? "");
    expect(readUser.body).toEqual(user.body);
    expect(readUser.headers.get("etag")).toBe(user.headers.get("etag"));

    const issued = await post(app, `/tenants/${tenant.id}/api-keys`, {}, newKey());
    expect(issued.body.name).toBeNull();
    const listed = await call(app, "GET", `/tenants/${tenant.id}/api-keys?limit=100`);
    const { apiKey: issuedKey, ...issuedShown } = issued.body;
    expect(listed.body.data).toContainEqual({ ...issuedShown, lastUsedAt: null });
    expect((await call(app, "GET", `/tenants/${tenant.id}`, { token: issuedKey })).status).toBe(
      200,
    );
  });

  test("the same key with another body or on another route gets 422 and creates nothing", async () => {
    const { db } = database();
    const key = newKey();
    const path = `/tenants/${tenant.id}/api-keys`;
    expect((await post(app, path, { name: "first" }, key)).status).toBe(201);
    const keys = await count(db, "api_keys");
    const otherBody = expectProblem(await post(app, path, { name: "second" }, key), 422);
    expect(otherBody.type).toBe("/problems/idempotency-key-reused");
    const otherRoute = await post(app, "/tenants", { name: "Other", slug: "other-route" }, key);
    expect(expectProblem(otherRoute, 422).type).toBe("/problems/idempotency-key-reused");
    expect(await count(db, "api_keys")).toBe(keys);
    expect(await count(db, "tenants", "slug = 'other-route'")).toBe(0);
  });

  test("a body that differs only in key order or case of the path's id is the same request", async () => {
    const key = newKey();
    const path = `/tenants/${tenant.id}/users`;
    const first = await call(app, "POST", path, {
      raw: JSON.stringify({ email: "order@example.com", name: "Order", password: PASSWORD }),
      headers: { "content-type": "application/json", "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    const reordered = await call(app, "POST", `/tenants/${tenant.id.toUpperCase()}/users`, {
      raw: JSON.stringify({ password: PASSWORD, name: "Order", email: "order@example.com" }),
      headers: { "content-type": "application/json", "idempotency-key": key },
    });
    expect(answerOf(reordered)).toEqual(answerOf(first));
  });

  test("keys are per caller: another caller's equal key is another key", async () => {
    const key = newKey();
    const path = `/tenants/${tenant.id}/api-keys`;
    const byAdmin = await post(app, path, { name: "scoped" }, key);
    const byTenant = await post(app, path, { name: "scoped" }, key, tenant.apiKey);
    const bySecondKey = await post(app, path, { name: "scoped" }, key, byAdmin.body.apiKey);
    const ids = [byAdmin, byTenant, bySecondKey].map((response) => {
      expect(response.status).toBe(201);
      expect(response.headers.get("idempotent-replayed")).toBeNull();
      return response.body.id;
    });
    expect(new Set(ids).size).toBe(3);
    // Each caller's retry gets its own answer.
    expect((await post(app, path, { name: "scoped" }, key, tenant.apiKey)).body.id).toBe(ids[1]);
  });

  test("a malformed Idempotency-Key gets 400 and creates nothing", async () => {
    const { db } = database();
    const tenants = await count(db, "tenants");
    for (const key of ["", "x".repeat(256), "tab\there", "caf\u00e9"]) {
      const response = await call(app, "POST", "/tenants", {
        body: { name: "Bad", slug: "bad-key" },
        headers: { "idempotency-key": key },
      });
      const problem = expectProblem(response, 400);
      expect(problem.errors?.[0]?.path).toBe("/idempotency-key");
      expect(JSON.stringify(problem)).not.toContain(key || "\u0000");
    }
    expect(
      (await post(app, "/tenants", { name: "Long", slug: "long-key" }, "k".repeat(255))).status,
    ).toBe(201);
    expect(await count(db, "tenants")).toBe(tenants + 1);
  });

  test("a failed create stores nothing: its retry runs again", async () => {
    const key = newKey();
    const conflict = await post(app, "/tenants", { name: "Taken", slug: "retry" }, key);
    expect(expectProblem(conflict, 409).type).toBe("/problems/conflict");
    await call(app, "PATCH", `/tenants/${tenant.id}`, { body: { slug: "retry-renamed" } });
    expect((await post(app, "/tenants", { name: "Taken", slug: "retry" }, key)).status).toBe(201);
    await call(app, "PATCH", `/tenants/${tenant.id}`, { body: { slug: "retry-2" } });
  });

  test("a retry while the first request is still running gets 409 with Retry-After", async () => {
    const { db } = database();
    const path = `/tenants/${tenant.id}/users`;
    let inUse: TestResponse | undefined;
    // The first request is hashing its password (tens of ms) once its reservation is visible;
    // in the rare run where it finished first, the retry gets its answer and we try again.
    for (let attempt = 0; attempt < 5 && inUse === undefined; attempt++) {
      const key = newKey();
      const body = { email: `busy${attempt}@example.com`, name: "Busy", password: PASSWORD };
      const first = post(app, path, body, key);
      await reservationSeen(db);
      const retry = await post(app, path, body, key);
      if (retry.status === 409) inUse = retry;
      else expect(answerOf(retry)).toEqual(answerOf(await first));
      expect((await first).status).toBe(201);
      expect(await count(db, "users", `email = 'busy${attempt}@example.com'`)).toBe(1);
    }
    if (inUse === undefined) throw new Error("the first request always finished before its retry");
    expect(expectProblem(inUse, 409).type).toBe("/problems/idempotency-key-in-use");
    expect(inUse.headers.get("retry-after")).toBe("1");
  });

  test("32 concurrent requests with one key: one row, every 201 the same, the others 409", async () => {
    const { db } = database();
    const key = newKey();
    const body = { name: "Stampede", slug: "stampede" };
    const responses = await Promise.all(
      Array.from({ length: 32 }, () => post(app, "/tenants", body, key)),
    );
    const created = responses.filter((response) => response.status === 201);
    const busy = responses.filter((response) => response.status === 409);
    expect(created.length + busy.length).toBe(32);
    expect(created.length).toBeGreaterThan(0);
    for (const response of created)
      expect(answerOf(response)).toEqual(answerOf(created[0] as TestResponse));
    const originals = created.filter((response) => !response.headers.has("idempotent-replayed"));
    expect(originals.length).toBeLessThanOrEqual(1);
    for (const response of busy) {
      expect(expectProblem(response, 409).type).toBe("/problems/idempotency-key-in-use");
    }
    expect(await count(db, "tenants", "slug = 'stampede'")).toBe(1);
    const retry = await post(app, "/tenants", body, key);
    expect(retry.status).toBe(201);
    expect(answerOf(retry)).toEqual(answerOf(created[0] as TestResponse));
  });

  test("a request slower than the takeover loses its reservation: only the retry that took over creates", async () => {
    const { db } = database();
    const path = `/tenants/${tenant.id}/users`;
    let superseded = 0;
    for (let attempt = 0; attempt < 5 && superseded === 0; attempt++) {
      const key = newKey();
      const email = `slow${attempt}@example.com`;
      const body = { email, name: "Slow", password: PASSWORD };
      const slow = post(app, path, body, key);
      await reservationSeen(db);
      // As if it had been running for two minutes: a retry may take the reservation over.
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      await run(
        db,
        `update idempotency_keys set created_at = ${db.dialect === "postgres" ? `'${twoMinutesAgo.toISOString()}'` : twoMinutesAgo.getTime()} where state = 'in_progress'`,
      );
      const retry = await post(app, path, body, key);
      const first = await slow;
      expect(await count(db, "users", `email = '${email}'`)).toBe(1);
      if (first.status === 409) {
        superseded++;
        expect(expectProblem(first, 409).type).toBe("/problems/idempotency-key-in-use");
        expect(retry.status).toBe(201);
        expect(retry.headers.get("idempotent-replayed")).toBeNull();
        expect(answerOf(await post(app, path, body, key))).toEqual(answerOf(retry));
      } else {
        // The slow one wrote before the retry took over: the retry got its answer.
        expect(first.status).toBe(201);
        expect(answerOf(retry)).toEqual(answerOf(first));
      }
    }
    expect(superseded).toBeGreaterThan(0);
  });

  test("answers expire after IDEMPOTENCY_TTL_SECONDS and are purged; the key then creates anew", async () => {
    const { db } = database();
    const shortLived = buildApp(db, { idempotencyTtlSeconds: 1 });
    const path = `/tenants/${tenant.id}/api-keys`;
    const key = newKey();
    const first = await post(shortLived, path, { name: "expiring" }, key);
    expect(first.status).toBe(201);
    const rows = await count(db, "idempotency_keys");
    await Bun.sleep(1_100);
    const expired = await count(
      db,
      "idempotency_keys",
      `expires_at <= ${db.dialect === "postgres" ? "now()" : Date.now()}`,
    );
    expect(expired).toBeGreaterThanOrEqual(1);
    // The next request with a key deletes every expired row, then creates anew.
    const again = await post(shortLived, path, { name: "expiring" }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.body.id).not.toBe(first.body.id);
    expect(
      await count(
        db,
        "idempotency_keys",
        `expires_at <= ${db.dialect === "postgres" ? "now()" : Date.now()}`,
      ),
    ).toBe(0);
    expect(await count(db, "idempotency_keys")).toBe(rows - expired + 1);
  });

  test("the store: a claimed row keeps comparable times, so that it expires and is purged", async () => {
    const { db } = database();
    const store = createIdempotencyStore(db, 60_000);
    const record = { scope: "store-test", keyHash: "a".repeat(64), requestHash: "b".repeat(64) };
    expect((await store.reserve(record)).kind).toBe("acquired");
    expect((await store.reserve(record)).kind).toBe("in_progress");
    expect((await store.reserve({ ...record, requestHash: "c".repeat(64) })).kind).toBe(
      "other_request",
    );
    await run(db, "update idempotency_keys set expires_at = created_at where scope = 'store-test'");
    // Expired: the next request claims the row anew (each column through its CASE).
    expect((await store.reserve(record)).kind).toBe("acquired");
    const mine = "scope = 'store-test'";
    expect(await count(db, "idempotency_keys", mine)).toBe(1);
    await store.purgeExpired(Date.now() + 30_000);
    expect(await count(db, "idempotency_keys", mine)).toBe(1);
    expect(await store.purgeExpired(Date.now() + 61_000)).toBeGreaterThanOrEqual(1);
    expect(await count(db, "idempotency_keys", mine)).toBe(0);
  });

  test("a database dump holds neither the API keys nor the idempotency keys nor the passwords", async () => {
    const { db, url } = database();
    const keys = [newKey(), newKey(), newKey()];
    const password = "a password for the dump";
    const secrets = [
      (await post(app, "/tenants", { name: "Dump", slug: "dump" }, keys[0] as string)).body.apiKey,
      (await post(app, `/tenants/${tenant.id}/api-keys`, {}, keys[1] as string)).body.apiKey,
    ];
    const user = await post(
      app,
      `/tenants/${tenant.id}/users`,
      { email: "dump@example.com", name: "Dump", password },
      keys[2] as string,
    );
    expect(user.status).toBe(201);
    let dump: string;
    if (db.dialect === "postgres") {
      const result = Bun.spawnSync(["pg_dump", "--data-only", url]);
      expect(result.exitCode).toBe(0);
      dump = result.stdout.toString();
    } else {
      db.sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const path = url.slice("file:".length);
      dump = [path, `${path}-wal`]
        .filter((file) => existsSync(file))
        .map((file) => readFileSync(file).toString("latin1"))
        .join("\n");
    }
    // The dump does hold the stored answers (their lookup hashes show it).
    const select = "select key_hash as h from idempotency_keys where state = 'completed'";
    const hashes =
      db.dialect === "postgres"
        ? (await db.sql.unsafe<{ h: string }[]>(select)).map((row) => row.h)
        : db.sqlite
            .query<{ h: string }, []>(select)
            .all()
            .map((row) => row.h);
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    for (const hash of hashes) expect(dump).toContain(hash);
    for (const secret of secrets) expect(dump).not.toContain(secret.slice(-43));
    for (const key of keys) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(key.replaceAll("-", ""));
    }
    expect(dump).not.toContain(password);
  });
});
