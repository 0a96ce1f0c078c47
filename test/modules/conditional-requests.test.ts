import { beforeAll, describe, expect, test } from "bun:test";
import { describeEachDialectAndPgbouncer } from "../helpers/databases";
import {
  buildApp,
  call,
  expectProblem,
  type TestApp,
  type TestResponse,
  withoutRequestId,
} from "../helpers/http";

const MISSING_ID = "01936d7a-0000-7000-8000-000000000000";
const PASSWORD = "correct horse battery staple";
const STRONG_TAG = /^"[\x21\x23-\x7e]+"$/;

/** The ETag of a response, asserted strong. */
function etagOf(response: TestResponse): string {
  const tag = response.headers.get("etag");
  if (tag === null)
    throw new Error(`no ETag on ${response.status} ${JSON.stringify(response.body)}`);
  expect(tag).toMatch(STRONG_TAG);
  return tag;
}

const weak = (tag: string) => `W/${tag}`;

describeEachDialectAndPgbouncer("conditional requests", (database) => {
  let app: TestApp;
  /** The same database, with REQUIRE_IF_MATCH=true. */
  let strict: TestApp;
  let tenant: { id: string; apiKey: string; etag: string };
  let other: { id: string; apiKey: string; etag: string };
  let counter = 0;

  const createTenant = async (slug: string) => {
    const response = await call(app, "POST", "/tenants", { body: { name: slug, slug } });
    expect(response.status).toBe(201);
    return { ...response.body, etag: etagOf(response) };
  };
  const createUser = async (tenantId: string) => {
    const response = await call(app, "POST", `/tenants/${tenantId}/users`, {
      body: { email: `user${++counter}@example.com`, name: "Ada", password: PASSWORD },
    });
    expect(response.status).toBe(201);
    return {
      ...response.body,
      etag: etagOf(response),
      path: `/tenants/${tenantId}/users/${response.body.id}`,
    };
  };

  beforeAll(async () => {
    app = buildApp(database().db);
    strict = buildApp(database().db, { requireIfMatch: true });
    tenant = await createTenant("conditional");
    other = await createTenant("conditional-other");
  });

  describe("ETag", () => {
    test("POST, GET and PATCH of a tenant and of a user carry the same strong tag until a change", async () => {
      const created = await createTenant(`tagged-${++counter}`);
      const read = await call(app, "GET", `/tenants/${created.id}`);
      expect(etagOf(read)).toBe(created.etag);
      const patched = await call(app, "PATCH", `/tenants/${created.id}`, { body: { name: "New" } });
      expect(patched.status).toBe(200);
      expect(etagOf(patched)).not.toBe(created.etag);
      expect(etagOf(await call(app, "GET", `/tenants/${created.id}`))).toBe(etagOf(patched));

      const user = await createUser(tenant.id);
      expect(etagOf(await call(app, "GET", user.path))).toBe(user.etag);
      const changed = await call(app, "PATCH", user.path, { body: { name: "Ada L" } });
      expect(etagOf(changed)).not.toBe(user.etag);
      expect(etagOf(await call(app, "GET", user.path, { token: tenant.apiKey }))).toBe(
        etagOf(changed),
      );
    });

    test("two changes in the same millisecond still give two tags", async () => {
      const user = await createUser(tenant.id);
      const tags = new Set([user.etag]);
      for (let round = 0; round < 5; round++) {
        tags.add(etagOf(await call(app, "PATCH", user.path, { body: { name: `Same ${round}` } })));
      }
      expect(tags.size).toBe(6);
    });

    test("an API key's creation carries its tag; lists, credential checks and errors carry none", async () => {
      const key = await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: {} });
      expect(key.status).toBe(201);
      etagOf(key);
      const user = await createUser(tenant.id);
      const answers = [
        await call(app, "GET", "/tenants"),
        await call(app, "GET", `/tenants/${tenant.id}/users`),
        await call(app, "GET", `/tenants/${tenant.id}/api-keys`),
        await call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
          body: { email: user.email, password: PASSWORD },
        }),
        await call(app, "GET", `/tenants/${tenant.id}/users/${MISSING_ID}`),
        await call(app, "PATCH", user.path, {
          body: { name: "x" },
          headers: { "if-match": '"stale"' },
        }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 404, 412]);
      for (const answer of answers) expect(answer.headers.get("etag")).toBeNull();
    });

    test("the version is no part of any body, and a body cannot set it", async () => {
      const user = await createUser(tenant.id);
      expect(user).not.toHaveProperty("version");
      expect((await call(app, "GET", `/tenants/${tenant.id}`)).body).not.toHaveProperty("version");
      expectProblem(await call(app, "PATCH", user.path, { body: { version: 99 } }), 422);
      expectProblem(
        await call(app, "PATCH", `/tenants/${tenant.id}`, { body: { version: 99 } }),
        422,
      );
    });
  });

  describe("If-None-Match on GET", () => {
    test("304 with no body and the ETag kept, for the current tag, its weak form, * or a list holding it", async () => {
      const user = await createUser(tenant.id);
      for (const value of [user.etag, weak(user.etag), "*", `"older", ${user.etag}`]) {
        const response = await call(app, "GET", user.path, { headers: { "if-none-match": value } });
        expect(response.status).toBe(304);
        expect(response.body).toBe("");
        expect(response.headers.get("etag")).toBe(user.etag);
        expect(response.headers.get("content-type")).toBeNull();
      }
      const tenantRead = await call(app, "GET", `/tenants/${tenant.id}`, { token: tenant.apiKey });
      const notModified = await call(app, "GET", `/tenants/${tenant.id}`, {
        token: tenant.apiKey,
        headers: { "if-none-match": etagOf(tenantRead) },
      });
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBe("");
      expect(notModified.headers.get("etag")).toBe(etagOf(tenantRead));
    });

    test("200 with the body once the resource has changed, or for a malformed value", async () => {
      const user = await createUser(tenant.id);
      await call(app, "PATCH", user.path, { body: { name: "Changed" } });
      for (const value of [user.etag, "not-a-tag", ""]) {
        const response = await call(app, "GET", user.path, { headers: { "if-none-match": value } });
        expect(response.status).toBe(200);
        expect(response.body.name).toBe("Changed");
      }
    });

    test("404 for a missing resource or another tenant's, even with *", async () => {
      const foreign = await createUser(other.id);
      const headers = { "if-none-match": "*" };
      expectProblem(
        await call(app, "GET", `/tenants/${tenant.id}/users/${MISSING_ID}`, { headers }),
        404,
      );
      expectProblem(
        await call(app, "GET", `/tenants/${tenant.id}/users/${foreign.id}`, { headers }),
        404,
      );
      expectProblem(
        await call(app, "GET", `/tenants/${other.id}`, { token: tenant.apiKey, headers }),
        404,
      );
    });
  });

  describe("If-Match on PATCH", () => {
    test("the current tag changes the resource; the old tag is then stale: 412, nothing changed", async () => {
      const user = await createUser(tenant.id);
      const changed = await call(app, "PATCH", user.path, {
        body: { name: "First" },
        headers: { "if-match": user.etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.name).toBe("First");
      const stale = await call(app, "PATCH", user.path, {
        body: { name: "Second" },
        headers: { "if-match": user.etag },
      });
      const problem = expectProblem(stale, 412);
      expect(problem.type).toBe("/problems/precondition-failed");
      const now = await call(app, "GET", user.path);
      expect(now.body).toEqual(changed.body);
      expect(etagOf(now)).toBe(etagOf(changed));
    });

    test("412 for a weak tag, another resource's tag or a malformed value; * and a list holding the tag pass", async () => {
      const user = await createUser(tenant.id);
      const sibling = await createUser(tenant.id);
      for (const value of [weak(user.etag), sibling.etag, "garbage", ""]) {
        const response = await call(app, "PATCH", user.path, {
          body: { name: "Nope" },
          headers: { "if-match": value },
        });
        expectProblem(response, 412);
      }
      expect((await call(app, "GET", user.path)).body.name).toBe("Ada");
      const listed = await call(app, "PATCH", user.path, {
        body: { name: "Listed" },
        headers: { "if-match": `${sibling.etag}, ${user.etag}, "x"` },
      });
      expect(listed.status).toBe(200);
      const any = await call(app, "PATCH", user.path, {
        body: { name: "Any" },
        headers: { "if-match": "*" },
      });
      expect(any.status).toBe(200);
      const tenantPatch = await call(app, "PATCH", `/tenants/${other.id}`, {
        body: { name: "Other Co" },
        headers: { "if-match": etagOf(await call(app, "GET", `/tenants/${other.id}`)) },
      });
      expect(tenantPatch.status).toBe(200);
      expectProblem(
        await call(app, "PATCH", `/tenants/${other.id}`, {
          body: { name: "Stale Co" },
          headers: { "if-match": tenant.etag },
        }),
        412,
      );
    });

    test("a password change with a stale tag is refused before hashing, and the password stays", async () => {
      const user = await createUser(tenant.id);
      await call(app, "PATCH", user.path, { body: { name: "Moved on" } });
      const stale = await call(app, "PATCH", user.path, {
        body: { password: "a different secret" },
        headers: { "if-match": user.etag },
      });
      expectProblem(stale, 412);
      const verify = await call(app, "POST", `/tenants/${tenant.id}/credentials/verify`, {
        body: { email: user.email, password: PASSWORD },
      });
      expect(verify.status).toBe(200);
    });

    test("404, not 412, for a missing resource or another tenant's, whatever the tag", async () => {
      const foreign = await createUser(other.id);
      const foreignPath = `/tenants/${tenant.id}/users/${foreign.id}`;
      const missing = await call(app, "PATCH", `/tenants/${tenant.id}/users/${MISSING_ID}`, {
        body: { name: "x" },
        headers: { "if-match": `"${MISSING_ID}-1"` },
      });
      expectProblem(missing, 404);
      for (const value of [foreign.etag, '"stale"', "*"]) {
        const response = await call(app, "PATCH", foreignPath, {
          body: { name: "Hijacked" },
          headers: { "if-match": value },
        });
        expect(withoutRequestId(expectProblem(response, 404))).toEqual(
          withoutRequestId(expectProblem(missing, 404)),
        );
      }
      // Another tenant's own key, with the right tag: still 404.
      const crossKey = await call(app, "PATCH", foreign.path, {
        token: tenant.apiKey,
        body: { name: "Hijacked" },
        headers: { "if-match": foreign.etag },
      });
      expectProblem(crossKey, 404);
      const tenantCross = await call(app, "PATCH", `/tenants/${other.id}`, {
        token: tenant.apiKey,
        body: { name: "Hijacked" },
        headers: { "if-match": "*" },
      });
      expectProblem(tenantCross, 404);
      expect((await call(app, "GET", foreign.path)).body.name).toBe("Ada");
    });
  });

  describe("If-Match on DELETE", () => {
    test("a user: 412 with a stale tag and it stays, 204 with the current one, then 404", async () => {
      const user = await createUser(tenant.id);
      const patched = await call(app, "PATCH", user.path, { body: { name: "Changed" } });
      expectProblem(
        await call(app, "DELETE", user.path, { headers: { "if-match": user.etag } }),
        412,
      );
      expect((await call(app, "GET", user.path)).status).toBe(200);
      const removed = await call(app, "DELETE", user.path, {
        headers: { "if-match": etagOf(patched) },
      });
      expect(removed.status).toBe(204);
      expectProblem(
        await call(app, "DELETE", user.path, { headers: { "if-match": etagOf(patched) } }),
        404,
      );
    });

    test("a tenant: 412 with a stale tag and it stays with its users, 204 with the current one", async () => {
      const doomed = await createTenant(`doomed-${++counter}`);
      const user = await createUser(doomed.id);
      const renamed = await call(app, "PATCH", `/tenants/${doomed.id}`, {
        body: { name: "Renamed" },
      });
      const path = `/tenants/${doomed.id}`;
      expectProblem(await call(app, "DELETE", path, { headers: { "if-match": doomed.etag } }), 412);
      expect((await call(app, "GET", user.path)).status).toBe(200);
      expect(
        (await call(app, "DELETE", path, { headers: { "if-match": etagOf(renamed) } })).status,
      ).toBe(204);
      expectProblem(await call(app, "GET", path), 404);
    });

    test("an API key: its creation's tag still matches after it has been used, a stale or foreign one does not", async () => {
      const created = await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: {} });
      const path = `/tenants/${tenant.id}/api-keys/${created.body.id}`;
      // Using the key writes lastUsedAt, which its creation's representation does not show.
      expect(
        (await call(app, "GET", `/tenants/${tenant.id}`, { token: created.body.apiKey })).status,
      ).toBe(200);
      const sibling = await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: {} });
      for (const value of [etagOf(sibling), weak(etagOf(created)), '"nope"']) {
        expectProblem(await call(app, "DELETE", path, { headers: { "if-match": value } }), 412);
      }
      expect(
        (await call(app, "GET", `/tenants/${tenant.id}`, { token: created.body.apiKey })).status,
      ).toBe(200);
      const foreign = await call(
        app,
        "DELETE",
        `/tenants/${other.id}/api-keys/${created.body.id}`,
        {
          headers: { "if-match": etagOf(created) },
        },
      );
      expectProblem(foreign, 404);
      expect(
        (await call(app, "DELETE", path, { headers: { "if-match": etagOf(created) } })).status,
      ).toBe(204);
      expectProblem(
        await call(app, "GET", `/tenants/${tenant.id}`, { token: created.body.apiKey }),
        401,
      );
    });
  });

  describe("REQUIRE_IF_MATCH=true", () => {
    test("428 for every PATCH and DELETE without If-Match, and nothing changes", async () => {
      const user = await createUser(tenant.id);
      const key = await call(app, "POST", `/tenants/${tenant.id}/api-keys`, { body: {} });
      const doomed = await createTenant(`kept-${++counter}`);
      const requests: [string, string, unknown][] = [
        ["PATCH", user.path, { name: "Unconditional" }],
        ["DELETE", user.path, undefined],
        ["PATCH", `/tenants/${doomed.id}`, { name: "Unconditional" }],
        ["DELETE", `/tenants/${doomed.id}`, undefined],
        ["DELETE", `/tenants/${tenant.id}/api-keys/${key.body.id}`, undefined],
      ];
      for (const [method, path, body] of requests) {
        const problem = expectProblem(await call(strict, method, path, { body }), 428);
        expect(problem.type).toBe("/problems/precondition-required");
        expect(problem.detail).toContain("If-Match");
      }
      expect((await call(app, "GET", user.path)).body.name).toBe("Ada");
      expect((await call(app, "GET", `/tenants/${doomed.id}`)).body.name).toBe(doomed.name);
      expect(
        (await call(app, "GET", `/tenants/${tenant.id}`, { token: key.body.apiKey })).status,
      ).toBe(200);
    });

    test("a tag or * is enough; GET and POST need none", async () => {
      const created = await call(strict, "POST", `/tenants/${tenant.id}/users`, {
        body: { email: `strict${++counter}@example.com`, name: "Strict", password: PASSWORD },
      });
      expect(created.status).toBe(201);
      const path = `/tenants/${tenant.id}/users/${created.body.id}`;
      expect((await call(strict, "GET", path)).status).toBe(200);
      const changed = await call(strict, "PATCH", path, {
        body: { name: "Tagged" },
        headers: { "if-match": etagOf(created) },
      });
      expect(changed.status).toBe(200);
      expectProblem(
        await call(strict, "PATCH", path, {
          body: { name: "Stale" },
          headers: { "if-match": etagOf(created) },
        }),
        412,
      );
      expect((await call(strict, "DELETE", path, { headers: { "if-match": "*" } })).status).toBe(
        204,
      );
    });

    test("authentication, authorization and validation come first: 401, 404 and 422 rather than 428", async () => {
      const foreign = await createUser(other.id);
      expectProblem(await call(strict, "DELETE", foreign.path, { token: null }), 401);
      expectProblem(await call(strict, "DELETE", foreign.path, { token: tenant.apiKey }), 404);
      expectProblem(
        await call(strict, "DELETE", `/tenants/${other.id}`, { token: tenant.apiKey }),
        403,
      );
      expectProblem(await call(strict, "PATCH", foreign.path, { body: { name: "" } }), 422);
      expectProblem(await call(strict, "DELETE", `/tenants/${tenant.id}/users/123`), 422);
    });
  });

  describe("races: the tag is compared in the UPDATE or DELETE itself", () => {
    const ROUNDS = 1_000;

    test(`${ROUNDS} rounds of two PATCHes with the same tag at once: one 200 and one 412 each round`, async () => {
      const user = await createUser(tenant.id);
      let etag = user.etag;
      const outcomes = new Map<string, number>();
      for (let round = 0; round < ROUNDS; round++) {
        const [first, second] = await Promise.all(
          ["a", "b"].map((side) =>
            call(app, "PATCH", user.path, {
              token: tenant.apiKey,
              body: { name: `Round ${round} ${side}` },
              headers: { "if-match": etag },
            }),
          ),
        );
        if (first === undefined || second === undefined) throw new Error("two answers expected");
        const statuses = `${first.status} ${second.status}`;
        outcomes.set(statuses, (outcomes.get(statuses) ?? 0) + 1);
        const winner = first.status === 200 ? first : second;
        const loser = winner === first ? second : first;
        if (winner.status !== 200 || loser.status !== 412) {
          throw new Error(`round ${round}: ${statuses}, expected one 200 and one 412`);
        }
        etag = etagOf(winner);
      }
      console.log(`[${database().db.dialect}] ${ROUNDS} rounds:`, Object.fromEntries(outcomes));
      // The last winner's change is what is stored: no loser wrote after it.
      const stored = await call(app, "GET", user.path);
      expect(etagOf(stored)).toBe(etag);
      expect(stored.body.name).toMatch(new RegExp(`^Round ${ROUNDS - 1} [ab]$`));
    }, 60_000);

    test("a PATCH and a DELETE with the same tag at once: exactly one of them succeeds", async () => {
      const outcomes = new Map<string, number>();
      const users = await Promise.all(Array.from({ length: 30 }, () => createUser(tenant.id)));
      for (const user of users) {
        const headers = { "if-match": user.etag };
        const [patched, removed] = await Promise.all([
          call(app, "PATCH", user.path, { body: { name: "Patched" }, headers }),
          call(app, "DELETE", user.path, { headers }),
        ]);
        const statuses = `${patched?.status} ${removed?.status}`;
        outcomes.set(statuses, (outcomes.get(statuses) ?? 0) + 1);
        // The PATCH first: the DELETE's tag is stale. The DELETE first: the PATCH finds no user.
        expect(["200 412", "404 204"]).toContain(statuses);
      }
      console.log(`[${database().db.dialect}] PATCH and DELETE:`, Object.fromEntries(outcomes));
    }, 60_000);
  });
});
