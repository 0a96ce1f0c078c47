import { beforeAll, describe, expect, test } from "bun:test";
import { type ColumnDef, parseSync } from "libpg-query";
import {
  type ColumnType,
  columnType,
  nodeOf,
} from "../../../../src/db/migrations/lint/postgres-ast";
import { loadPostgresParser } from "../../../../src/db/migrations/lint/postgres-parse";
import { narrowing, rewrites } from "../../../../src/db/migrations/lint/postgres-types";

beforeAll(() => loadPostgresParser());

/** A type as PostgreSQL's parser reads it in a column definition. */
function typeOf(sql: string): ColumnType {
  const parsed = parseSync(`CREATE TABLE t (c ${sql})`);
  const column: ColumnDef | undefined = nodeOf(
    parsed.stmts[0].stmt.CreateStmt.tableElts[0],
    "ColumnDef",
  );
  const type = columnType(column?.typeName);
  if (type === null) throw new Error(`no type in ${sql}`);
  return type;
}

describe("ALTER COLUMN TYPE on PostgreSQL", () => {
  // [from, to, narrows, rewrites]
  const cases: Array<[string, string, boolean, boolean]> = [
    ["varchar(10)", "varchar(20)", false, false],
    ["varchar(10)", "varchar", false, false],
    ["varchar(10)", "text", false, false],
    ["character varying(10)", "text", false, false],
    ["text", "varchar", false, false],
    ["varchar(20)", "varchar(10)", true, true],
    ["text", "varchar(10)", true, true],
    ["char(5)", "char(3)", true, true],
    ["bigint", "integer", true, true],
    ["integer", "smallint", true, true],
    ["integer", "bigint", false, true],
    ["serial", "bigint", false, true],
    ["numeric(10,2)", "numeric(12,2)", false, false],
    ["numeric(10,2)", "numeric", false, false],
    ["numeric(10,2)", "numeric(8,2)", true, true],
    ["numeric(10,2)", "numeric(10,1)", true, true],
    ["numeric", "numeric(10,2)", true, true],
    ["numeric(10,2)", "integer", true, true],
    ["bigint", "numeric(5,0)", true, true],
    ["double precision", "real", true, true],
    ["timestamp(3) with time zone", "timestamptz(6)", false, false],
    ["timestamptz", "timestamptz(3)", true, true],
    ["timestamptz", "date", true, true],
    ["text", "integer", true, true],
    ["uuid", "text", false, true],
    ["integer[]", "integer", false, true],
    ["cidr", "inet", false, false],
  ];
  for (const [from, to, narrows, rewritesTable] of cases) {
    test(`${from} -> ${to}: ${narrows ? "narrows" : "does not narrow"}, ${rewritesTable ? "rewrites" : "no rewrite"}`, () => {
      expect(narrowing(typeOf(from), typeOf(to)) !== null).toBe(narrows);
      expect(rewrites(typeOf(from), typeOf(to))).toBe(rewritesTable);
    });
  }
});
