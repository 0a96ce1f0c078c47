import { expect, test } from "bun:test";
import { queryOperation } from "../../src/observability/queries";

test("a query's operation label: its verb, a WITH query's first data-changing verb, else other", () => {
  expect(queryOperation('select "id" from "tenants" where "id" = $1')).toBe("select");
  expect(queryOperation('  INSERT into "users" values (?)')).toBe("insert");
  expect(queryOperation('update "users" set "name" = $1')).toBe("update");
  expect(queryOperation('delete from "credential_failures" where 1')).toBe("delete");
  expect(queryOperation("(select 1) union (select 2)")).toBe("select");
  expect(
    queryOperation(
      'with "new_tenant" as (insert into "tenants" values ($1) returning *) select * from "new_tenant"',
    ),
  ).toBe("insert");
  expect(queryOperation('with "t" as (select 1) select * from "t"')).toBe("select");
  expect(queryOperation("do $$ begin perform pg_sleep(1); end $$")).toBe("other");
  expect(queryOperation("begin")).toBe("other");
});
