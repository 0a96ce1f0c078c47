import { describe, expect, test } from "bun:test";
import { is, Placeholder } from "drizzle-orm";
import { appDefaults, definedEntries, insertPlaceholders, perKeySet } from "../../src/db/prepared";
import { pgTenants, sqliteUsers } from "../../src/db/schema";

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
