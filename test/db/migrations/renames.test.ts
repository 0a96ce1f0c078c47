import { describe, expect, test } from "bun:test";
import { invertRenames, renamesIn } from "../../../src/db/migrations/renames";

describe("renamesIn", () => {
  test("finds column and table renames in either dialect's SQL, in order", () => {
    expect(
      renamesIn([
        'ALTER TABLE "accounts" RENAME TO "tenants";',
        'ALTER TABLE "public"."users" RENAME COLUMN "full_name" TO "name";',
        "ALTER TABLE `users` RENAME COLUMN `mail` TO `email`;",
        'CREATE TABLE "x" (id int);',
      ]),
    ).toEqual([
      { kind: "table", from: "accounts", to: "tenants" },
      { kind: "column", table: "users", from: "full_name", to: "name" },
      { kind: "column", table: "users", from: "mail", to: "email" },
    ]);
  });

  test("a SQLite table rebuild is not a rename", () => {
    expect(renamesIn(["ALTER TABLE `__new_users` RENAME TO `users`;"])).toEqual([]);
  });
});

test("invertRenames undoes renames in reverse order", () => {
  expect(
    invertRenames([
      { kind: "table", from: "accounts", to: "tenants" },
      { kind: "column", table: "tenants", from: "title", to: "name" },
    ]),
  ).toEqual([
    { kind: "column", table: "tenants", from: "name", to: "title" },
    { kind: "table", from: "tenants", to: "accounts" },
  ]);
});
