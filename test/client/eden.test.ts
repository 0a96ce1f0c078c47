import { afterAll, beforeAll, expect, test } from "bun:test";
import { treaty } from "@elysiajs/eden";
import type { App } from "../../src/app";
import { createTestDatabase, type TestDatabase } from "../helpers/databases";
import { ADMIN_TOKEN, buildApp } from "../helpers/http";

// A typed client straight from the app's type: the calls below are checked by tsc against the
// routes' schemas (a misspelt field or path fails the typecheck, not just the test).
let database: TestDatabase;
let app: App;
beforeAll(async () => {
  database = await createTestDatabase("sqlite");
  app = buildApp(database.db);
});
afterAll(() => database.drop());

test("Eden Treaty: create a tenant and a user, read, page, rename, check credentials, delete", async () => {
  const admin = treaty<App>(app, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  const created = await admin.tenants.post({ name: "Eden", slug: "eden" });
  expect(created.status).toBe(201);
  if (created.data === null) throw created.error;
  const { id: tenantId, apiKey } = created.data;
  expect(apiKey).toStartWith("tak_");

  // From here on the tenant's own key, as a tenant's client would hold it.
  const client = treaty<App>(app, { headers: { authorization: `Bearer ${apiKey}` } });
  const tenant = client.tenants({ tenantId });

  const user = await tenant.users.post({
    email: "Ada@Example.com",
    name: "Ada",
    password: "correct horse battery",
    role: "admin",
  });
  expect(user.status).toBe(201);
  if (user.data === null) throw user.error;
  expect(user.data.email).toBe("ada@example.com");

  const read = await tenant.users({ id: user.data.id }).get();
  expect(read.data?.name).toBe("Ada");

  const page = await tenant.users.get({ query: { limit: "10" } });
  expect(page.data?.data.map((row) => row.id)).toEqual([user.data.id]);
  expect(page.data?.nextCursor).toBeNull();

  const renamed = await tenant.users({ id: user.data.id }).patch({ name: "Ada L." });
  expect(renamed.data?.name).toBe("Ada L.");
  expect(Date.parse(renamed.data?.updatedAt ?? "")).toBeGreaterThanOrEqual(
    Date.parse(user.data.updatedAt),
  );

  const login = await tenant.credentials.verify.post({
    email: "ada@example.com",
    password: "correct horse battery",
  });
  expect(login.status).toBe(200);

  const removed = await tenant.users({ id: user.data.id }).delete();
  expect(removed.status).toBe(204);

  // Errors arrive as the problem+json body, typed by status.
  const gone = await tenant.users({ id: user.data.id }).get();
  expect(gone.status).toBe(404);
  expect(gone.error?.value).toMatchObject({ type: "/problems/not-found", status: 404 });
});
