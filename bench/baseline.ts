/**
 * The raw baseline for `npm run bench`: Bun.serve, no framework, no ORM, prepared statements on
 * the same drivers and schema, and the same work per request as the app (bearer-token lookup,
 * validation, JSON in and out) for the benchmarked routes only.
 *   DATABASE_URL=… PORT=… ADMIN_TOKEN=… bun bench/baseline.ts
 */
import { Database as BunSqlite } from "bun:sqlite";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import postgres from "postgres";
import { v7 as uuidv7 } from "uuid";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// tak_<key id>_<tenant id's hex digits>_<secret>, or tak_<key id>_<secret> for an older key.
const KEY = /^tak_([a-z2-7]{16})_(?:([0-9a-f]{32})_)?([A-Za-z0-9_-]{43})$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

type Row = Record<string, unknown>;
interface NewTenant {
  id: string;
  name: string;
  slug: string;
}
interface NewKey {
  id: string;
  keyId: string;
  secretHash: string;
}
interface Store {
  keyById(
    keyId: string,
    tenantId: string | undefined,
  ): Promise<{ tenant_id: string; secret_hash: string } | undefined>;
  tenant(id: string): Promise<Row | undefined>;
  user(tenantId: string, id: string): Promise<Row | undefined>;
  users(tenantId: string, limit: number): Promise<Row[]>;
  /** The tenant and its first key in one statement (one transaction on SQLite); none on a taken slug. */
  createTenantWithKey(tenant: NewTenant, key: NewKey, now: number): Promise<Row | undefined>;
  renameUser(tenantId: string, id: string, name: string, now: number): Promise<Row | undefined>;
  close(): Promise<void>;
}

const USER_COLUMNS = "id, tenant_id, email, name, role, is_active, created_at, updated_at";
// A single resource comes with its row's version, for its ETag, as in the app.
const TAGGED_USER_COLUMNS = `${USER_COLUMNS}, version`;
const TENANT_COLUMNS = "id, name, slug, created_at, updated_at, version";

function sqliteStore(path: string): Store {
  const db = new BunSqlite(path, { strict: true });
  db.exec(
    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
  );
  const key = db.query(
    "select tenant_id, secret_hash from api_keys where tenant_id = ? and key_id = ?",
  );
  const olderKey = db.query("select tenant_id, secret_hash from api_keys where key_id = ?");
  const tenant = db.query(`select ${TENANT_COLUMNS} from tenants where id = ?`);
  const user = db.query(`select ${TAGGED_USER_COLUMNS} from users where tenant_id = ? and id = ?`);
  const users = db.query(
    `select ${USER_COLUMNS} from users where tenant_id = ? order by id limit ?`,
  );
  const insertTenant = db.query(
    `insert into tenants (id, name, slug, created_at, updated_at) values (?, ?, ?, ?, ?) returning ${TENANT_COLUMNS}`,
  );
  const insertKey = db.query(
    "insert into api_keys (id, tenant_id, key_id, secret_hash, name, created_at) values (?, ?, ?, ?, 'initial', ?)",
  );
  const rename = db.query(
    `update users set name = ?, updated_at = ?, version = version + 1 where tenant_id = ? and id = ? returning ${TAGGED_USER_COLUMNS}`,
  );
  // Writes step to the end (all(), not get()): SQLite runs its automatic WAL checkpoint only when
  // a statement completes, so get() on an UPDATE … RETURNING never checkpoints and the WAL grows
  // without bound (465 MB in 9 s of PATCH), sparing the baseline the checkpoints the app does.
  return {
    keyById: async (keyId, tenantId) =>
      (tenantId === undefined ? olderKey.get(keyId) : key.get(tenantId, keyId)) as
        | { tenant_id: string; secret_hash: string }
        | undefined,
    tenant: async (id) => (tenant.get(id) as Row | null) ?? undefined,
    user: async (tenantId, id) => (user.get(tenantId, id) as Row | null) ?? undefined,
    users: async (tenantId, limit) => users.all(tenantId, limit) as Row[],
    createTenantWithKey: async (tenant, key, now) => {
      try {
        return db.transaction(() => {
          const row = (insertTenant.all(tenant.id, tenant.name, tenant.slug, now, now) as Row[])[0];
          insertKey.run(key.id, tenant.id, key.keyId, key.secretHash, now);
          return row;
        })();
      } catch (error) {
        if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") return undefined;
        throw error;
      }
    },
    renameUser: async (tenantId, id, name, now) =>
      (rename.all(name, now, tenantId, id) as Row[])[0],
    close: async () => db.close(),
  };
}

function postgresStore(connection: string): Store {
  const sql = postgres(connection, {
    // Two pipelined connections, like the app's read pool: postgres.js's default pool of 10
    // decays under sustained load (see bench/README.md).
    max: Number(process.env.BASELINE_POOL_SIZE ?? 2),
    prepare: true,
  });
  return {
    keyById: async (keyId, tenantId) =>
      (
        await (tenantId === undefined
          ? sql<
              { tenant_id: string; secret_hash: string }[]
            >`select tenant_id, secret_hash from api_keys where key_id = ${keyId}`
          : sql<
              { tenant_id: string; secret_hash: string }[]
            >`select tenant_id, secret_hash from api_keys where tenant_id = ${tenantId} and key_id = ${keyId}`)
      )[0],
    tenant: async (id) =>
      (await sql`select ${sql.unsafe(TENANT_COLUMNS)} from tenants where id = ${id}`)[0],
    user: async (tenantId, id) =>
      (
        await sql`select ${sql.unsafe(TAGGED_USER_COLUMNS)} from users where tenant_id = ${tenantId} and id = ${id}`
      )[0],
    users: async (tenantId, limit) =>
      sql`select ${sql.unsafe(USER_COLUMNS)} from users where tenant_id = ${tenantId} order by id limit ${limit}`,
    createTenantWithKey: async (tenant, key, now) => {
      try {
        const [row] = await sql`with tenant as (
            insert into tenants (id, name, slug, created_at, updated_at)
            values (${tenant.id}, ${tenant.name}, ${tenant.slug}, ${new Date(now)}, ${new Date(now)})
            returning ${sql.unsafe(TENANT_COLUMNS)}
          ), key as (
            insert into api_keys (id, tenant_id, key_id, secret_hash, name, created_at)
            values (${key.id}, ${tenant.id}, ${key.keyId}, ${key.secretHash}, 'initial', ${new Date(now)})
          )
          select * from tenant`;
        return row;
      } catch (error) {
        if ((error as { code?: string }).code === "23505") return undefined;
        throw error;
      }
    },
    renameUser: async (tenantId, id, name, now) =>
      (
        await sql`update users set name = ${name}, updated_at = ${new Date(now)}, version = version + 1
        where tenant_id = ${tenantId} and id = ${id} returning ${sql.unsafe(TAGGED_USER_COLUMNS)}`
      )[0],
    close: () => sql.end(),
  };
}

const iso = (value: unknown) =>
  new Date(value instanceof Date ? value : Number(value)).toISOString();
const tenantJson = (row: Row) => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});
const userJson = (row: Row) => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  role: row.role,
  isActive: Boolean(row.is_active),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});
const json = (body: unknown, status = 200) => Response.json(body, { status });
/** Like the app: a single resource carries its strong entity tag. */
const tagged = (response: Response, row: Row) => {
  response.headers.set("etag", `"${row.id}-${row.version}"`);
  return response;
};
const problem = (status: number, title: string) =>
  new Response(JSON.stringify({ type: "about:blank", title, status }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

/** The baseline's request handler on a database (`file:…` or `postgres://…`), and its closing. */
export function createBaseline(url: string, adminToken: string) {
  const adminHash = createHash("sha256").update(adminToken).digest();
  const store = url.startsWith("postgres")
    ? postgresStore(url)
    : sqliteStore(url.replace(/^file:/, ""));

  async function authenticate(
    request: Request,
  ): Promise<{ admin: true } | { tenantId: string } | undefined> {
    const token = request.headers.get("authorization")?.match(/^Bearer (\S+)$/)?.[1];
    if (!token) return undefined;
    const digest = createHash("sha256").update(token).digest();
    if (timingSafeEqual(digest, adminHash)) return { admin: true };
    const parts = token.match(KEY);
    if (!parts?.[1] || !parts[3]) return undefined;
    const hex = parts[2];
    const keyTenant =
      hex === undefined
        ? undefined
        : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const row = await store.keyById(parts[1], keyTenant);
    if (!row) return undefined;
    const secret = createHash("sha256").update(parts[3]).digest();
    return timingSafeEqual(secret, Buffer.from(row.secret_hash, "hex"))
      ? { tenantId: row.tenant_id }
      : undefined;
  }

  // Like the app, every response carries X-Request-Id: the client's when it is well formed, else
  // a new UUID.
  async function fetch(request: Request): Promise<Response> {
    const response = await route(request);
    const offered = request.headers.get("x-request-id");
    response.headers.set(
      "x-request-id",
      offered !== null && REQUEST_ID.test(offered) ? offered : crypto.randomUUID(),
    );
    return response;
  }
  return { fetch, close: () => store.close() };

  async function route(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    const segments = pathname.split("/").filter(Boolean);
    if (segments[0] === "health") return json({ status: "ok" });
    const who = await authenticate(request);
    if (!who) return problem(401, "Unauthorized");
    const [, tenantId, sub, userId] = segments;
    if (segments[0] !== "tenants") return problem(404, "Not found");
    if (segments.length === 1 && request.method === "POST") {
      if (!("admin" in who)) return problem(403, "Forbidden");
      const body = (await request.json().catch(() => undefined)) as
        | { name?: unknown; slug?: unknown }
        | undefined;
      const name = typeof body?.name === "string" ? body.name.trim() : "";
      if (
        !name ||
        name.length > 200 ||
        typeof body?.slug !== "string" ||
        !SLUG.test(body.slug) ||
        Object.keys(body).length !== 2
      ) {
        return problem(422, "Validation failed");
      }
      // Like the app: the new tenant's first key, shown once, written with the tenant.
      const keyId = randomBytes(10)
        .toString("hex")
        .slice(0, 16)
        .replace(/[0189]/g, "a");
      const secret = randomBytes(32).toString("base64url");
      const secretHash = createHash("sha256").update(secret).digest("hex");
      const tenant = { id: uuidv7(), name, slug: body.slug };
      const row = await store.createTenantWithKey(
        tenant,
        { id: uuidv7(), keyId, secretHash },
        Date.now(),
      );
      if (!row) return problem(409, "Conflict");
      const tenantHex = tenant.id.replaceAll("-", "");
      const created = tagged(
        json({ ...tenantJson(row), apiKey: `tak_${keyId}_${tenantHex}_${secret}` }, 201),
        row,
      );
      created.headers.set("location", `/tenants/${row.id}`);
      return created;
    }
    if (!tenantId || !UUID.test(tenantId)) return problem(422, "Validation failed");
    if ("tenantId" in who && who.tenantId !== tenantId) return problem(404, "Not found");
    if (segments.length === 2 && request.method === "GET") {
      const row = await store.tenant(tenantId);
      return row ? tagged(json(tenantJson(row)), row) : problem(404, "Not found");
    }
    if (sub !== "users") return problem(404, "Not found");
    if (segments.length === 3 && request.method === "GET") {
      const limit = Number(searchParams.get("limit") ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        return problem(422, "Validation failed");
      const rows = await store.users(tenantId, limit + 1);
      return json({
        data: rows.slice(0, limit).map(userJson),
        nextCursor: rows.length > limit ? "next" : null,
      });
    }
    if (!userId || !UUID.test(userId)) return problem(422, "Validation failed");
    if (request.method === "GET") {
      const row = await store.user(tenantId, userId);
      return row ? tagged(json(userJson(row)), row) : problem(404, "Not found");
    }
    if (request.method === "PATCH") {
      const body = (await request.json().catch(() => undefined)) as { name?: unknown } | undefined;
      const name = typeof body?.name === "string" ? body.name.trim() : "";
      if (!name || name.length > 200 || Object.keys(body ?? {}).length !== 1)
        return problem(422, "Validation failed");
      const row = await store.renameUser(tenantId, userId, name, Date.now());
      return row ? tagged(json(userJson(row)), row) : problem(404, "Not found");
    }
    return problem(404, "Not found");
  }
}

if (import.meta.main) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: Number(process.env.PORT ?? 3100),
    fetch: createBaseline(process.env.DATABASE_URL ?? "", process.env.ADMIN_TOKEN ?? "").fetch,
  });
  console.log(`baseline listening on http://${server.hostname}:${server.port}`);
  process.once("SIGTERM", () => {
    server.stop();
    process.exit(0);
  });
}
