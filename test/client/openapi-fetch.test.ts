import { beforeAll, expect, test } from "bun:test";
import createClient from "openapi-fetch";
import { describeEachDialect } from "../helpers/databases";
import { ADMIN_TOKEN, buildApp, type TestApp } from "../helpers/http";
import type { paths } from "./openapi-types";

// A client generated from the committed openapi.json (openapi-typescript, npm run openapi:types)
// and called through openapi-fetch, as a third party would: tsc checks every call below against
// the document, so a document that misdescribes a route fails the typecheck or this test.

const PASSWORD = "correct horse battery";
const USERS = 45;

/** The 404 body of GET /tenants/{tenantId}/users/{id}, as the document describes it. */
type UserNotFound =
  paths["/tenants/{tenantId}/users/{id}"]["get"]["responses"][404]["content"]["application/problem+json"];
/** The 412 and 428 bodies of PATCH /tenants/{tenantId}/users/{id}. */
type UserPatchProblem =
  | paths["/tenants/{tenantId}/users/{id}"]["patch"]["responses"][412]["content"]["application/problem+json"]
  | paths["/tenants/{tenantId}/users/{id}"]["patch"]["responses"][428]["content"]["application/problem+json"];

describeEachDialect("openapi-fetch client from openapi.json", (database) => {
  let app: TestApp;
  /** The same database behind a server with REQUIRE_IF_MATCH=true. */
  let strict: TestApp;
  beforeAll(() => {
    app = buildApp(database().db);
    strict = buildApp(database().db, { requireIfMatch: true });
  });

  const clientWith = (token: string, server: () => TestApp = () => app) =>
    createClient<paths>({
      baseUrl: "http://localhost",
      // In process: the app answers the Request the client builds, no port involved.
      fetch: (request) => server().handle(request),
      headers: { authorization: `Bearer ${token}` },
    });

  test("create a tenant, create and page through users, patch, verify, delete, a typed 404", async () => {
    const admin = clientWith(ADMIN_TOKEN);
    const created = await admin.POST("/tenants", {
      body: { name: "Fetch", slug: "openapi-fetch" },
    });
    if (created.data === undefined) throw new Error(JSON.stringify(created.error));
    expect(created.response.status).toBe(201);
    const { id: tenantId, apiKey } = created.data;
    expect(apiKey).toStartWith("tak_");

    // From here on the tenant's own key.
    const client = clientWith(apiKey);
    const path = { tenantId };

    const ids: string[] = [];
    for (let index = 0; index < USERS; index++) {
      const { data, error } = await client.POST("/tenants/{tenantId}/users", {
        params: { path },
        body: { email: `user${index}@example.com`, name: `User ${index}`, password: PASSWORD },
      });
      if (data === undefined) throw new Error(JSON.stringify(error));
      ids.push(data.id);
    }

    // `limit` is an integer in the document, so the client sends a number.
    const pageSizes: number[] = [];
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const { data, error } = await client.GET("/tenants/{tenantId}/users", {
        params: { path, query: { limit: 20, cursor } },
      });
      if (data === undefined) throw new Error(JSON.stringify(error));
      pageSizes.push(data.data.length);
      listed.push(...data.data.map((user) => user.id));
      cursor = data.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(pageSizes).toEqual([20, 20, 5]);
    expect(listed).toEqual(ids);

    const [id = ""] = ids;
    const user = { tenantId, id };
    const patched = await client.PATCH("/tenants/{tenantId}/users/{id}", {
      params: { path: user },
      body: { name: "Ada L.", role: "admin" },
    });
    expect(patched.data).toMatchObject({ id, name: "Ada L.", role: "admin" });

    const verify = (password: string) =>
      client.POST("/tenants/{tenantId}/credentials/verify", {
        params: { path },
        body: { email: "user0@example.com", password },
      });
    const accepted = await verify(PASSWORD);
    expect(accepted.response.status).toBe(200);
    expect(accepted.data?.id).toBe(id);
    const refused = await verify("not the password");
    expect(refused.response.status).toBe(401);
    expect(refused.error?.type).toBe("/problems/unauthorized");

    const removed = await client.DELETE("/tenants/{tenantId}/users/{id}", {
      params: { path: user },
    });
    expect(removed.response.status).toBe(204);

    // An error body is the problem+json schema of the document; openapi-fetch parses any error
    // body that is JSON text, whatever its media type.
    const gone = await client.GET("/tenants/{tenantId}/users/{id}", { params: { path: user } });
    expect(gone.response.status).toBe(404);
    expect(gone.response.headers.get("content-type")).toStartWith("application/problem+json");
    if (gone.error === undefined) throw new Error("expected an error body");
    const problem: UserNotFound = gone.error;
    const status: number = problem.status;
    expect(status).toBe(404);
    expect(problem).toMatchObject({ type: "/problems/not-found", title: "Not found" });
  }, 60_000);

  test("Idempotency-Key as the document types it: a replay, 400, 409 in flight, 422 reused", async () => {
    const admin = clientWith(ADMIN_TOKEN);
    const key = crypto.randomUUID();
    const create = (slug: string, idempotencyKey: string) =>
      admin.POST("/tenants", {
        params: { header: { "idempotency-key": idempotencyKey } },
        body: { name: "Keyed", slug },
      });
    const first = await create("keyed", key);
    if (first.data === undefined) throw new Error(JSON.stringify(first.error));
    const replayed = await create("keyed", key);
    expect(replayed.response.status).toBe(201);
    expect(replayed.response.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.data).toEqual(first.data);

    const reused = await create("keyed-other", key);
    expect(reused.response.status).toBe(422);
    expect(reused.error?.type).toBe("/problems/idempotency-key-reused");
    const malformed = await create("keyed-bad", "x".repeat(256));
    expect(malformed.response.status).toBe(400);
    expect(malformed.error?.type).toBe("/problems/bad-request");

    // In flight: the first request hashes its password while the second arrives.
    const client = clientWith(first.data.apiKey);
    const tenantId = first.data.id;
    const statuses: number[] = [];
    let inUse: string | undefined;
    for (let attempt = 0; attempt < 5 && inUse === undefined; attempt++) {
      const userKey = crypto.randomUUID();
      const send = () =>
        client.POST("/tenants/{tenantId}/users", {
          params: { path: { tenantId }, header: { "idempotency-key": userKey } },
          body: { email: `keyed${attempt}@example.com`, name: "Keyed", password: PASSWORD },
        });
      const running = send();
      const second = await send();
      statuses.push(second.response.status, (await running).response.status);
      if (second.response.status === 409) {
        expect(second.response.headers.get("retry-after")).toBe("1");
        inUse = second.error?.type;
      }
    }
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(inUse).toBe("/problems/idempotency-key-in-use");
  }, 60_000);

  test("conditional requests as the document types them: ETag, If-None-Match and 304, If-Match and 412, 428", async () => {
    const admin = clientWith(ADMIN_TOKEN);
    const created = await admin.POST("/tenants", { body: { name: "Tags", slug: "openapi-tags" } });
    if (created.data === undefined) throw new Error(JSON.stringify(created.error));
    const tenantTag = created.response.headers.get("etag") ?? "";
    expect(tenantTag).toStartWith('"');
    const client = clientWith(created.data.apiKey);
    const path = { tenantId: created.data.id };

    const notModified = await client.GET("/tenants/{tenantId}", {
      params: { path, header: { "If-None-Match": tenantTag } },
    });
    expect(notModified.response.status).toBe(304);
    expect(notModified.response.headers.get("etag")).toBe(tenantTag);
    // No body: the client has no data, and an empty error body.
    expect(notModified.data).toBeUndefined();
    expect(String(notModified.error)).toBe("");

    const user = await client.POST("/tenants/{tenantId}/users", {
      params: { path },
      body: { email: "tagged@example.com", name: "Tagged", password: PASSWORD },
    });
    if (user.data === undefined) throw new Error(JSON.stringify(user.error));
    const userPath = { tenantId: created.data.id, id: user.data.id };
    const createdTag = user.response.headers.get("etag") ?? "";
    const patch = (ifMatch: string | undefined, name: string, from = client) =>
      from.PATCH("/tenants/{tenantId}/users/{id}", {
        params: { path: userPath, header: ifMatch === undefined ? {} : { "If-Match": ifMatch } },
        body: { name },
      });

    const changed = await patch(createdTag, "Changed");
    expect(changed.data?.name).toBe("Changed");
    const changedTag = changed.response.headers.get("etag") ?? "";
    expect(changedTag).not.toBe(createdTag);

    const stale = await patch(createdTag, "Lost update");
    expect(stale.response.status).toBe(412);
    const failed: UserPatchProblem | undefined = stale.error;
    expect(failed).toMatchObject({ type: "/problems/precondition-failed", status: 412 });

    const strictClient = clientWith(created.data.apiKey, () => strict);
    const unconditional = await patch(undefined, "Blind", strictClient);
    expect(unconditional.response.status).toBe(428);
    const required: UserPatchProblem | undefined = unconditional.error;
    expect(required).toMatchObject({ type: "/problems/precondition-required", status: 428 });
    expect((await patch(changedTag, "Tagged again", strictClient)).response.status).toBe(200);

    const read = await client.GET("/tenants/{tenantId}/users/{id}", { params: { path: userPath } });
    expect(read.data?.name).toBe("Tagged again");
    const removed = await client.DELETE("/tenants/{tenantId}/users/{id}", {
      params: { path: userPath, header: { "If-Match": read.response.headers.get("etag") ?? "" } },
    });
    expect(removed.response.status).toBe(204);

    const key = await client.POST("/tenants/{tenantId}/api-keys", { params: { path }, body: {} });
    if (key.data === undefined) throw new Error(JSON.stringify(key.error));
    const revoked = await strictClient.DELETE("/tenants/{tenantId}/api-keys/{keyId}", {
      params: {
        path: { tenantId: created.data.id, keyId: key.data.id },
        header: { "If-Match": key.response.headers.get("etag") ?? "" },
      },
    });
    expect(revoked.response.status).toBe(204);
  }, 60_000);
});
