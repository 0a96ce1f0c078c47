import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestDatabase, type TestDatabase } from "../helpers/databases";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("sqlite");
});
afterAll(() => database.drop());

test("SQLite opens in WAL mode with foreign keys on and a busy timeout", () => {
  const { db } = database;
  if (db.dialect !== "sqlite") throw new Error("expected SQLite");
  const pragma = (name: string) => Object.values(db.sqlite.query(`PRAGMA ${name}`).get() ?? {})[0];
  expect(pragma("journal_mode")).toBe("wal");
  expect(pragma("foreign_keys")).toBe(1);
  expect(pragma("busy_timeout")).toBe(5000);
  expect(pragma("synchronous")).toBe(1); // NORMAL
});
