import { describe, expect, test } from "bun:test";
import { type Column, getTableName, is, SQL } from "drizzle-orm";
import {
  type PgTable,
  getTableConfig as pgConfig,
  primaryKey as pgPrimaryKey,
  pgTable,
  text as pgText,
} from "drizzle-orm/pg-core";
import {
  type SQLiteTable,
  getTableConfig as sqliteConfig,
  primaryKey as sqlitePrimaryKey,
  sqliteTable,
  text as sqliteText,
} from "drizzle-orm/sqlite-core";
import { postgresTables, sqliteTables } from "../../src/db/schema";

type AnyConfig = ReturnType<typeof pgConfig> | ReturnType<typeof sqliteConfig>;

function describeColumn(column: Column) {
  const { length } = column as Column & { length?: number };
  return {
    name: column.name,
    // drizzle's dialect-neutral type: string, number, boolean, date, json...
    dataType: column.dataType,
    notNull: column.notNull,
    primaryKey: column.primary,
    // SQL defaults differ by dialect (now() versus unixepoch()); literal defaults must match.
    default:
      column.default === undefined ? null : is(column.default, SQL) ? "<sql>" : column.default,
    hasAppDefault: column.defaultFn !== undefined,
    enumValues: column.enumValues ?? null,
    length: length ?? null,
  };
}

/** What the parity test compares: a dialect-free description of a table. */
function describeTable(config: AnyConfig) {
  const columnLevelUniques = config.columns
    .filter((column) => column.isUnique)
    .map((column) => ({ name: column.uniqueName ?? "", columns: [column.name] }));
  const uniques = [
    ...config.uniqueConstraints.map((unique) => ({
      name: unique.getName() ?? "",
      columns: unique.columns.map((column) => column.name),
    })),
    ...columnLevelUniques,
  ];
  return {
    name: config.name,
    columns: config.columns.map(describeColumn).sort((a, b) => a.name.localeCompare(b.name)),
    primaryKeys: config.primaryKeys.map((primaryKey) => ({
      name: primaryKey.getName(),
      columns: primaryKey.columns.map((column) => column.name),
    })),
    uniques: uniques.sort((a, b) => a.name.localeCompare(b.name)),
    foreignKeys: config.foreignKeys
      .map((foreignKey) => {
        const reference = foreignKey.reference();
        return {
          columns: reference.columns.map((column) => column.name),
          foreignTable: getTableName(reference.foreignTable),
          foreignColumns: reference.foreignColumns.map((column) => column.name),
          onDelete: foreignKey.onDelete ?? "no action",
          onUpdate: foreignKey.onUpdate ?? "no action",
        };
      })
      .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
    indexes: config.indexes
      .map((index) => ({
        name: index.config.name ?? "",
        unique: index.config.unique,
        columns: index.config.columns.map((column) => (column as Column).name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    checks: config.checks.map((check) => check.name).sort(),
  };
}

const describePostgres = (tables: Record<string, PgTable>) =>
  Object.values(tables).map((table) => describeTable(pgConfig(table)));
const describeSqlite = (tables: Record<string, SQLiteTable>) =>
  Object.values(tables).map((table) => describeTable(sqliteConfig(table)));

describe("schema parity", () => {
  test("the PostgreSQL and SQLite schemas define the same tables", () => {
    expect(Object.keys(sqliteTables).sort()).toEqual(Object.keys(postgresTables).sort());
    expect(describeSqlite(sqliteTables)).toEqual(describePostgres(postgresTables));
  });

  test("the comparison sees a column that differs in nullability, length or presence", () => {
    const pg = { notes: pgTable("notes", { body: pgText("body").notNull() }) };
    const nullable = { notes: sqliteTable("notes", { body: sqliteText("body") }) };
    const extra = {
      notes: sqliteTable("notes", { body: sqliteText("body").notNull(), more: sqliteText("more") }),
    };
    const longer = {
      notes: sqliteTable("notes", { body: sqliteText("body", { length: 9 }).notNull() }),
    };
    const same = { notes: sqliteTable("notes", { body: sqliteText("body").notNull() }) };
    expect(describeSqlite(same)).toEqual(describePostgres(pg));
    for (const different of [nullable, extra, longer]) {
      expect(describeSqlite(different)).not.toEqual(describePostgres(pg));
    }
  });

  test("the comparison sees a composite primary key whose columns come in another order", () => {
    const pg = {
      pairs: pgTable("pairs", { a: pgText("a").notNull(), b: pgText("b").notNull() }, (t) => [
        pgPrimaryKey({ name: "pairs_pk", columns: [t.a, t.b] }),
      ]),
    };
    const pairs = (order: "ab" | "ba") => ({
      pairs: sqliteTable(
        "pairs",
        { a: sqliteText("a").notNull(), b: sqliteText("b").notNull() },
        (t) => [
          order === "ab"
            ? sqlitePrimaryKey({ name: "pairs_pk", columns: [t.a, t.b] })
            : sqlitePrimaryKey({ name: "pairs_pk", columns: [t.b, t.a] }),
        ],
      ),
    });
    expect(describeSqlite(pairs("ab"))).toEqual(describePostgres(pg));
    expect(describeSqlite(pairs("ba"))).not.toEqual(describePostgres(pg));
  });

  test("the comparison sees a missing unique constraint, foreign key action or check", () => {
    const base = describeSqlite(sqliteTables);
    const users = base.find((table) => table.name === "users");
    expect(users?.primaryKeys).toEqual([
      { name: "users_tenant_id_id_pk", columns: ["tenant_id", "id"] },
    ]);
    expect(users?.uniques.length).toBeGreaterThan(0);
    expect(users?.foreignKeys[0]).toMatchObject({ foreignTable: "tenants", onDelete: "cascade" });
    expect(users?.checks).toEqual(["users_role_check"]);
  });
});
