import { beforeAll, expect, test } from "bun:test";
import { codePointLength } from "../../src/http/text";
import { describeEachDialect } from "../helpers/databases";
import { buildApp, call, expectProblem, type TestApp } from "../helpers/http";

const ASTRAL = "𝕏"; // one code point, two UTF-16 units

test("codePointLength counts a surrogate pair once and a lone surrogate once", () => {
  expect(codePointLength("")).toBe(0);
  expect(codePointLength("abc")).toBe(3);
  expect(codePointLength(ASTRAL.repeat(3))).toBe(3);
  expect(codePointLength(`a${ASTRAL}b`)).toBe(3);
  expect(codePointLength("\ud800")).toBe(1);
  expect(codePointLength("\udc00\ud800")).toBe(2);
  expect(codePointLength(`\ud800${ASTRAL}`)).toBe(2);
});

describeEachDialect("lengths count code points, on both sides of each bound", (database) => {
  let app: TestApp;
  let tenantId: string;
  beforeAll(async () => {
    app = buildApp(database().db);
    tenantId = (await call(app, "POST", "/tenants", { body: { name: "Len", slug: "len" } })).body
      .id;
  });

  test("a tenant name of 200 characters is stored whole in ASCII and in astral characters; 201 is refused", async () => {
    for (const [index, unit] of ["a", ASTRAL].entries()) {
      const created = await call(app, "POST", "/tenants", {
        body: { name: unit.repeat(200), slug: `len-${index}` },
      });
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      expect(created.body.name).toBe(unit.repeat(200));
      const refused = await call(app, "POST", "/tenants", {
        body: { name: unit.repeat(201), slug: `len-over-${index}` },
      });
      expect(expectProblem(refused, 422).errors?.[0]?.path).toBe("/name");
    }
  });

  test("a password of 8 characters passes in ASCII and in astral characters; 7 is refused, as are 257", async () => {
    for (const [index, unit] of ["p", ASTRAL].entries()) {
      const body = (password: string, n: string) => ({
        body: { email: `len-${index}-${n}@example.com`, name: "Len", password },
      });
      const users = `/tenants/${tenantId}/users`;
      expect((await call(app, "POST", users, body(unit.repeat(8), "min"))).status).toBe(201);
      expect((await call(app, "POST", users, body(unit.repeat(256), "max"))).status).toBe(201);
      for (const [password, n] of [
        [unit.repeat(7), "under"],
        [unit.repeat(257), "over"],
      ] as const) {
        const refused = expectProblem(await call(app, "POST", users, body(password, n)), 422);
        expect(refused.errors?.[0]?.path).toBe("/password");
      }
    }
  });
});
