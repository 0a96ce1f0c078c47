import { afterEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { baseUrl } from "../../src/cli/commands/seed";
import type { Database } from "../../src/db/client";
import { readApplied } from "../../src/db/migrations/engine";
import { USER_ROLES } from "../../src/db/schema";
import { DEMO_PASSWORD, DEMO_TENANTS, demoEmail } from "../../src/db/seed";
import { createEmptyDatabase, describeEachDialect, type TestDatabase } from "../helpers/databases";
import { buildApp, call } from "../helpers/http";
import { REPO_ROOT, runDb } from "../helpers/project";
import { rowCounts } from "../helpers/schema-shape";

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
});

// The configured address, which the printed curl lines must use; NODE_ENV set so that a local
// .env cannot change what the seed does.
const SERVER_ENV = { HOST: "127.0.0.1", PORT: "4321", NODE_ENV: "test" };
const CURL =
  /curl -H "Authorization: Bearer (tak_\S+)" http:\/\/127\.0\.0\.1:4321\/tenants\/([0-9a-f-]{36})\/users/g;

interface PrintedTenant {
  key: string;
  tenantId: string;
}

function printedTenants(stdout: string): PrintedTenant[] {
  return [...stdout.matchAll(CURL)].map((match) => ({
    key: match[1] ?? "",
    tenantId: match[2] ?? "",
  }));
}

async function demoRows(db: Database) {
  const { tenants, users } = db.tables;
  const rows = await db.orm
    .select({
      slug: tenants.slug,
      tenantId: tenants.id,
      email: users.email,
      role: users.role,
      passwordHash: users.passwordHash,
    })
    .from(users)
    .innerJoin(tenants, eq(users.tenantId, tenants.id));
  return rows.sort((a, b) => `${a.slug} ${a.email}`.localeCompare(`${b.slug} ${b.email}`));
}

describe("db seed command line", () => {
  test("--help describes the command", async () => {
    const help = await runDb(REPO_ROOT, ["seed", "--help"], {});
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("npm run db -- seed");
    expect(help.stdout).toContain("Idempotent");
  });

  test("refuses to run with NODE_ENV=production, before touching any database", async () => {
    const result = await runDb(REPO_ROOT, ["seed"], {
      NODE_ENV: "production",
      ADMIN_TOKEN: "production-admin-token-0123456789abcdef",
      DATABASE_URL: "file:/nonexistent/never.db",
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("NODE_ENV=production");
  });

  test("the curl line uses the configured host and port, reachable from this machine", () => {
    expect(baseUrl({ host: "127.0.0.1", port: 3000 })).toBe("http://127.0.0.1:3000");
    expect(baseUrl({ host: "0.0.0.0", port: 8080 })).toBe("http://127.0.0.1:8080");
    expect(baseUrl({ host: "::", port: 3000 })).toBe("http://[::1]:3000");
    expect(baseUrl({ host: "[::1]", port: 3000 })).toBe("http://[::1]:3000");
    expect(baseUrl({ host: "localhost", port: 0 })).toBe("http://localhost:<port>");
  });
});

describeEachDialect("db seed", (_database, dialect) => {
  const emptyDatabase = async () => {
    const database = await createEmptyDatabase(dialect);
    opened.push(database);
    return database;
  };

  test("with MIGRATE_ON_START off, an unmigrated database gets one line naming `db -- up`", async () => {
    const { db, url } = await emptyDatabase();
    const result = await runDb(REPO_ROOT, ["seed"], {
      DATABASE_URL: url,
      MIGRATE_ON_START: "false",
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("npm run db -- up");
    expect(await readApplied(db)).toEqual([]);
  }, 30_000);

  test("seeds an empty database; printed keys reach their own tenant only; a rerun duplicates nothing", async () => {
    const { db, url } = await emptyDatabase();
    const env = { DATABASE_URL: url, ...SERVER_ENV };

    const first = await runDb(REPO_ROOT, ["seed"], env);
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain("migrations applied:");
    const firstTenants = printedTenants(first.stdout);
    expect(firstTenants).toHaveLength(DEMO_TENANTS.length);

    // Every demo tenant, with one user of every role, each password an argon2id hash of the demo one.
    const rows = await demoRows(db);
    const expected = DEMO_TENANTS.flatMap((tenant) =>
      USER_ROLES.map((role) => ({
        slug: tenant.slug,
        email: demoEmail(role, tenant.domain),
        role,
      })),
    ).sort((a, b) => `${a.slug} ${a.email}`.localeCompare(`${b.slug} ${b.email}`));
    expect(rows.map(({ slug, email, role }) => ({ slug, email, role }))).toEqual(expected);
    for (const row of rows) {
      expect(row.passwordHash).toStartWith("$argon2id$");
      expect(await Bun.password.verify(DEMO_PASSWORD, row.passwordHash)).toBe(true);
    }
    const idBySlug = new Map(rows.map((row) => [row.slug, row.tenantId]));
    expect(firstTenants.map((tenant) => tenant.tenantId).sort()).toEqual(
      [...new Set(idBySlug.values())].sort(),
    );

    const app = buildApp(db);
    const expectKeysWork = async (printed: PrintedTenant[]) => {
      for (const [index, { key, tenantId }] of printed.entries()) {
        const own = await call(app, "GET", `/tenants/${tenantId}/users?limit=100`, { token: key });
        expect(own.status).toBe(200);
        const emails = rows.filter((row) => row.tenantId === tenantId).map((row) => row.email);
        expect(own.body.data.map((user: { email: string }) => user.email).sort()).toEqual(
          emails.sort(),
        );
        const other = printed[(index + 1) % printed.length]?.tenantId;
        const foreign = await call(app, "GET", `/tenants/${other}/users`, { token: key });
        expect(foreign.status).toBe(404);
        const login = await call(app, "POST", `/tenants/${tenantId}/credentials/verify`, {
          token: key,
          body: { email: emails[0], password: DEMO_PASSWORD },
        });
        expect(login.status).toBe(200);
      }
    };
    await expectKeysWork(firstTenants);
    const countsAfterFirst = await rowCounts(db);
    expect(countsAfterFirst.tenants).toBe(DEMO_TENANTS.length);
    expect(countsAfterFirst.users).toBe(DEMO_TENANTS.length * USER_ROLES.length);
    expect(countsAfterFirst.api_keys).toBe(DEMO_TENANTS.length);

    const second = await runDb(REPO_ROOT, ["seed"], env);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain("migrations applied:");
    expect(second.stdout).toContain(`(0 created, ${DEMO_TENANTS.length} already there)`);
    const secondTenants = printedTenants(second.stdout);
    expect(secondTenants.map((tenant) => tenant.tenantId)).toEqual(
      firstTenants.map((tenant) => tenant.tenantId),
    );
    expect(await rowCounts(db)).toEqual(countsAfterFirst);
    expect(await demoRows(db)).toEqual(rows);

    // As documented: the new keys work, the ones the run before printed are revoked.
    await expectKeysWork(secondTenants);
    for (const { key, tenantId } of firstTenants) {
      expect((await call(app, "GET", `/tenants/${tenantId}/users`, { token: key })).status).toBe(
        401,
      );
    }
  }, 60_000);
});
