import { describe, expect, test } from "bun:test";
import { asc, eq, is, Placeholder, sql } from "drizzle-orm";
import {
  appDefaults,
  definedEntries,
  insertPlaceholders,
  perKeySet,
  withRowMapper,
} from "../../src/db/prepared";
import { pgTenants, sqliteUsers } from "../../src/db/schema";
import { visibleUserColumns } from "../../src/modules/users/service";
import { describeEachDialect } from "../helpers/databases";

describe("prepared statement helpers", () => {
  test("insertPlaceholders covers every column the app computes, so none is frozen at build", () => {
    const values = insertPlaceholders(sqliteUsers, ["email"]);
    expect(Object.keys(values).sort()).toEqual(["createdAt", "email", "id", "updatedAt"]);
    expect(Object.values(values).every((value) => is(value, Placeholder))).toBe(true);
  });

  test("appDefaults computes new values on every call", () => {
    const first = appDefaults(pgTenants);
    const second = appDefaults(pgTenants);
    expect(Object.keys(first).sort()).toEqual(["createdAt", "id", "updatedAt"]);
    expect(first.id).not.toBe(second.id);
  });

  test("perKeySet builds once per set of keys, whatever their order", () => {
    const built: string[][] = [];
    const statementFor = perKeySet((keys) => {
      built.push(keys);
      return { keys };
    });
    const first = statementFor(["name", "email"]);
    expect(statementFor(["email", "name"])).toBe(first);
    expect(statementFor(["name"])).not.toBe(first);
    expect(built).toEqual([["email", "name"], ["name"]]);
  });

  test("definedEntries drops what a patch leaves out", () => {
    expect(definedEntries({ name: "a", email: undefined, isActive: false })).toEqual({
      name: "a",
      isActive: false,
    });
  });
});

describeEachDialect("withRowMapper", (database) => {
  const newTenantId = async (slug: string) => {
    const { orm, tables } = database().db;
    const [tenant] = await orm
      .insert(tables.tenants)
      .values({ name: slug, slug })
      .returning({ id: tables.tenants.id });
    return tenant?.id as string;
  };

  test("maps rows exactly as drizzle does: booleans, timestamps, nulls, column order", async () => {
    const { orm, tables } = database().db;
    const tenantId = await newTenantId("mapper");
    await orm.insert(tables.users).values([
      { tenantId, email: "a@x.example", name: "A", passwordHash: "h", isActive: false },
      { tenantId, email: "b@x.example", name: "B", passwordHash: "h", role: "owner" },
    ]);
    await orm.insert(tables.apiKeys).values({ tenantId, keyId: "k", secretHash: "s", name: null });
    const userColumns = visibleUserColumns(tables.users);
    const keyColumns = {
      lastUsedAt: tables.apiKeys.lastUsedAt,
      name: tables.apiKeys.name,
      createdAt: tables.apiKeys.createdAt,
      id: tables.apiKeys.id,
    };
    const users = (name: string) =>
      orm
        .select(userColumns)
        .from(tables.users)
        .where(eq(tables.users.tenantId, sql.placeholder("tenantId")))
        .orderBy(asc(tables.users.email))
        .prepare(name);
    const keys = (name: string) =>
      orm
        .select(keyColumns)
        .from(tables.apiKeys)
        .where(eq(tables.apiKeys.tenantId, sql.placeholder("tenantId")))
        .prepare(name);

    const expectedUsers = await users("drizzle_users").execute({ tenantId });
    const mappedUsers = await withRowMapper(users("mapped_users"), userColumns).execute({
      tenantId,
    });
    expect(mappedUsers).toEqual(expectedUsers);
    expect(expectedUsers.map((user) => user.isActive)).toEqual([false, true]);
    expect(typeof expectedUsers[0]?.createdAt).toBe("string");

    const expectedKeys = await keys("drizzle_keys").execute({ tenantId });
    expect(await withRowMapper(keys("mapped_keys"), keyColumns).execute({ tenantId })).toEqual(
      expectedKeys,
    );
    expect(expectedKeys[0]).toMatchObject({ lastUsedAt: null, name: null });

    // Keys of its own prove that the driver ran this mapper, not drizzle's.
    const renamed = { a: keyColumns.lastUsedAt, b: keyColumns.name, c: keyColumns.createdAt };
    const [row] = await withRowMapper(keys("renamed_keys"), renamed).execute({ tenantId });
    expect(row as unknown).toEqual({ a: null, b: null, c: expectedKeys[0]?.createdAt });
  });

  test("maps the rows of an UPDATE … RETURNING as drizzle does", async () => {
    const { orm, tables } = database().db;
    const tenantId = await newTenantId("returning");
    await orm
      .insert(tables.users)
      .values({ tenantId, email: "r@x.example", name: "R", passwordHash: "h", isActive: false });
    const columns = visibleUserColumns(tables.users);
    const rename = (name: string) =>
      orm
        .update(tables.users)
        .set({ name: sql.placeholder("name") as unknown as string })
        .where(eq(tables.users.tenantId, sql.placeholder("tenantId")))
        .returning(columns)
        .prepare(name);
    const [expected] = await rename("drizzle_rename").execute({ tenantId, name: "Same" });
    const [mapped] = await withRowMapper(rename("mapped_rename"), columns).execute({
      tenantId,
      name: "Same",
    });
    expect(mapped).toEqual(expected as NonNullable<typeof expected>);
    expect(expected).toMatchObject({ name: "Same", isActive: false, email: "r@x.example" });
    // Keys of its own prove that the driver ran this mapper on the returned rows.
    const renamed = Object.fromEntries(
      Object.entries(columns).map(([key, column]) => [`_${key}`, column]),
    );
    const [own] = await withRowMapper(rename("renamed_rename"), renamed).execute({
      tenantId,
      name: "Same",
    });
    expect(Object.keys(own ?? {})).toEqual(Object.keys(columns).map((key) => `_${key}`));
  });
});
