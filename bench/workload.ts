/** What both benchmarks share: the seeded data and the requests of each scenario. */
import { v7 as uuidv7 } from "uuid";
import { freshDatabase } from "../scripts/harness";
import { type Dialect, parseDatabaseUrl } from "../src/config";
import { type Database, openDatabase } from "../src/db/client";
import { migrateUp } from "../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../src/db/migrations/files";
import { assertUnreachable } from "../src/lib/assert";
import { bunPasswords } from "../src/lib/password-bun";
import { generateApiKey } from "../src/lib/tokens";

export const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef0123456789";
const TENANTS = 10;

export interface Seeded {
  tenants: { id: string; key: string; users: string[] }[];
}

/** Migrates, then 10 tenants x N users straight into the tables (one argon2 hash), a key each. */
export async function seed(db: Database, usersPerTenant: number): Promise<Seeded> {
  await migrateUp(db, readMigrations(migrationsFolder(db.dialect)));
  const passwordHash = await bunPasswords.hash("bench password");
  const { orm, tables } = db;
  const seeded: Seeded = { tenants: [] };
  for (let t = 0; t < TENANTS; t++) {
    const tenantId = uuidv7();
    await orm
      .insert(tables.tenants)
      .values({ id: tenantId, name: `Tenant ${t}`, slug: `tenant-${t}` });
    const key = generateApiKey(tenantId);
    await orm
      .insert(tables.apiKeys)
      .values({ tenantId, keyId: key.keyId, secretHash: key.secretHash, name: "bench" });
    const users = Array.from({ length: usersPerTenant }, (_, u) => ({
      id: uuidv7(),
      tenantId,
      email: `user${u}@tenant${t}.example`,
      name: `User ${u}`,
      passwordHash,
    }));
    for (let i = 0; i < users.length; i += 500)
      await orm.insert(tables.users).values(users.slice(i, i + 500));
    seeded.tenants.push({ id: tenantId, key: key.token, users: users.map((user) => user.id) });
  }
  return seeded;
}

/** A fresh database of the dialect (see scripts/harness.ts), seeded, with a connection open on it. */
export async function seededDatabase(
  dialect: Dialect,
  label: string,
  usersPerTenant: number,
  server?: string,
) {
  const { url, drop } = await freshDatabase(dialect, label, server);
  const db = openDatabase(parseDatabaseUrl(url));
  return { url, drop, db, seeded: await seed(db, usersPerTenant) };
}

/**
 * The reads run twice: with the tenant's API key (a key lookup per request, as clients do) and
 * with the admin token (no lookup, so the framework's own share of each request shows).
 */
export type Scenario =
  | "GET user"
  | "GET users page"
  | "GET tenant"
  | "GET user (admin)"
  | "GET users page (admin)"
  | "GET tenant (admin)"
  | "POST tenant"
  | "PATCH user";
export const SCENARIOS: Scenario[] = [
  "GET user",
  "GET users page",
  "GET tenant",
  "GET user (admin)",
  "GET users page (admin)",
  "GET tenant (admin)",
  "POST tenant",
  "PATCH user",
];
export const ADMIN_READS: readonly Scenario[] = [
  "GET user (admin)",
  "GET users page (admin)",
  "GET tenant (admin)",
];

export interface ScenarioRequest {
  method: "GET" | "POST" | "PATCH";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

let sequence = 0;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)] as T;

/** One request of a scenario: a random tenant (and user); `tag` keeps new slugs apart per target. */
export function scenarioRequest(scenario: Scenario, seeded: Seeded, tag: string): ScenarioRequest {
  const tenant = pick(seeded.tenants);
  const headers = { authorization: `Bearer ${tenant.key}`, "content-type": "application/json" };
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
  switch (scenario) {
    case "GET user":
      return { method: "GET", path: `/tenants/${tenant.id}/users/${pick(tenant.users)}`, headers };
    case "GET users page":
      return { method: "GET", path: `/tenants/${tenant.id}/users?limit=20`, headers };
    case "GET tenant":
      return { method: "GET", path: `/tenants/${tenant.id}`, headers };
    case "GET user (admin)":
      return {
        method: "GET",
        path: `/tenants/${tenant.id}/users/${pick(tenant.users)}`,
        headers: admin,
      };
    case "GET users page (admin)":
      return { method: "GET", path: `/tenants/${tenant.id}/users?limit=20`, headers: admin };
    case "GET tenant (admin)":
      return { method: "GET", path: `/tenants/${tenant.id}`, headers: admin };
    case "POST tenant":
      return {
        method: "POST",
        path: "/tenants",
        headers: admin,
        body: JSON.stringify({ name: "Bench", slug: `b-${tag}-${++sequence}` }),
      };
    case "PATCH user":
      return {
        method: "PATCH",
        path: `/tenants/${tenant.id}/users/${pick(tenant.users)}`,
        headers,
        body: JSON.stringify({ name: `Renamed ${++sequence}` }),
      };
    default:
      return assertUnreachable(scenario);
  }
}

/** A scenario's request as an in-process `Request`, declaring its body's length as HTTP clients do. */
export function toRequest({ method, path, headers, body }: ScenarioRequest): Request {
  const length: Record<string, string> =
    body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
  return new Request(`http://localhost${path}`, {
    method,
    headers: { ...headers, ...length },
    body,
  });
}
