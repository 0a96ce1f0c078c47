import { beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { describeEachDialect } from "../helpers/databases";
import { fingerprint } from "../helpers/fingerprint";
import { buildApp, call, type TestApp } from "../helpers/http";

/** Every UTF-8 byte as %XX; unlike encodeURIComponent it accepts unpaired surrogates. */
const percentEncode = (text: string) =>
  [...new TextEncoder().encode(text)]
    .map((byte) => `%${byte.toString(16).padStart(2, "0")}`)
    .join("");

const RUNS_PER_DIALECT = Number(process.env.FUZZ_RUNS ?? 5_000);

const nasty = fc.constantFrom(
  "",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff lone",
  "' OR 1=1 --",
  "'); DROP TABLE tenants; --",
  '" OR ""="',
  "%00",
  "../../etc/passwd",
  "𝕏".repeat(300),
  "x".repeat(5_000),
);
const anyValue = fc.oneof(
  nasty,
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);

/** A JSON body with at least one defect, so that no mutation can be accepted. */
const defectiveBody = fc.oneof(
  // an unknown property beside plausible ones
  fc
    .record({ name: anyValue, slug: anyValue, email: anyValue, password: anyValue, role: anyValue })
    .map((body) => JSON.stringify({ ...body, unexpected: true })),
  // plausible keys with wrong types
  fc
    .record({
      name: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())),
      slug: fc.integer(),
    })
    .map((b) => JSON.stringify(b)),
  // server-owned properties (mass assignment)
  fc
    .constantFrom("id", "tenantId", "createdAt", "updatedAt", "passwordHash", "secretHash")
    .map((key) =>
      JSON.stringify({
        name: "Valid",
        slug: "valid-slug",
        email: "a@b.co",
        password: "long enough",
        [key]: "x",
      }),
    ),
  // not JSON at all, or not an object
  fc.constantFrom("{", '{"name":', "nul", "[]", '"str"', "1e400", "{}}", "\u0000", "{'a':1}"),
  fc.string().filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }),
  // 10,000 levels deep
  fc.constantFrom(
    `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
    `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`,
  ),
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "",
  "application/xml",
);

describeEachDialect("random and mutated requests", (database) => {
  let app: TestApp;
  const ids: Record<"tenant" | "user" | "key", string[]> = { tenant: [], user: [], key: [] };
  const tokens: (string | null)[] = [];

  beforeAll(async () => {
    app = buildApp(database().db);
    for (const slug of ["fuzz-a", "fuzz-b"]) {
      const tenant = (await call(app, "POST", "/tenants", { body: { name: slug, slug } })).body;
      ids.tenant.push(tenant.id);
      tokens.push(tenant.apiKey);
      const user = await call(app, "POST", `/tenants/${tenant.id}/users`, {
        body: { email: `${slug}@example.com`, name: slug, password: "long enough" },
      });
      ids.user.push(user.body.id);
      const keys = await call(app, "GET", `/tenants/${tenant.id}/api-keys`);
      ids.key.push(keys.body.data[0].id);
    }
    tokens.push(null, "garbage", `tak_${"a".repeat(16)}_${"b".repeat(43)}`);
  });

  test(`${RUNS_PER_DIALECT} requests: no 5xx, every 4xx a matching problem, no data changed`, async () => {
    const { db } = database();
    const before = await fingerprint(db);
    const id = (kind: "tenant" | "user" | "key") =>
      fc.oneof(
        fc.constantFrom(...ids[kind]),
        fc.uuid(),
        nasty.map(percentEncode),
        fc.string().map(percentEncode),
      );
    const path = fc.oneof(
      fc.constant("/tenants"),
      id("tenant").map((t) => `/tenants/${t}`),
      fc.tuple(id("tenant")).map(([t]) => `/tenants/${t}/users`),
      fc.tuple(id("tenant"), id("user")).map(([t, u]) => `/tenants/${t}/users/${u}`),
      fc.tuple(id("tenant")).map(([t]) => `/tenants/${t}/api-keys`),
      fc.tuple(id("tenant"), id("key")).map(([t, k]) => `/tenants/${t}/api-keys/${k}`),
      fc.tuple(id("tenant")).map(([t]) => `/tenants/${t}/credentials/verify`),
      fc.constantFrom("/health", "/ready", "/nowhere", "/tenants/../health", "//tenants"),
    );
    const query = fc.oneof(
      fc.constant(""),
      fc.constantFrom(
        "?limit=1e9",
        "?limit=-1",
        "?limit=0.5",
        "?limit=abc",
        "?cursor=forged",
        "?limit=100&cursor=djE6",
      ),
      fc
        .tuple(fc.constantFrom("limit", "cursor", "email", "x"), fc.oneof(fc.string(), nasty))
        .map(([key, value]) => `?${key}=${percentEncode(value)}`),
    );
    const request = fc.record({
      method: fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT"),
      path,
      query,
      body: defectiveBody,
      contentType,
      token: fc.constantFrom<string | null | undefined>(undefined, ...tokens),
    });
    const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
    console.log(`fuzz seed: ${seed} (replay with SEED=${seed})`);
    let count = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        count++;
        // A DELETE with a known id would succeed: only unknown ids may be deleted here.
        const deletesKnown =
          r.method === "DELETE" &&
          [...ids.tenant, ...ids.user, ...ids.key].some((known) => r.path.includes(known));
        const method = deletesKnown ? "GET" : r.method;
        const hasBody = method === "POST" || method === "PATCH" || method === "PUT";
        const response = await call(app, method, `${r.path}${r.query}`, {
          ...(r.token === undefined ? {} : { token: r.token }),
          ...(hasBody
            ? { raw: r.body, headers: r.contentType ? { "content-type": r.contentType } : {} }
            : {}),
        });
        expect(response.status).toBeLessThan(500);
        if (hasBody) expect(response.status).toBeGreaterThanOrEqual(400);
        if (response.status >= 400) {
          expect(response.headers.get("content-type")).toStartWith("application/problem+json");
          expect(response.body.status).toBe(response.status);
        }
      }),
      { numRuns: RUNS_PER_DIALECT, seed },
    );
    expect(count).toBe(RUNS_PER_DIALECT);
    expect(await fingerprint(db)).toBe(before);
  }, 300_000);
});
