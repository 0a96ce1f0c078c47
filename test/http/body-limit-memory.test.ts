import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestDatabase, type TestDatabase } from "../helpers/databases";
import { ADMIN_TOKEN, buildApp } from "../helpers/http";

let database: TestDatabase;
let app: ReturnType<typeof buildApp>;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase("sqlite");
  app = buildApp(database.db).listen({ hostname: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${app.server?.port}`;
});
afterAll(async () => {
  await app.stop(true);
  await database.drop();
});

const headers = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };

test("over a real socket: 413 problem for a body one byte over 1 MiB, with and without Content-Length", async () => {
  const body = `"${"x".repeat(1024 * 1024 - 1)}"`; // 1 MiB + 1 byte
  const declared = await fetch(`${url}/tenants`, { method: "POST", headers, body });
  expect(declared.status).toBe(413);
  expect(declared.headers.get("content-type")).toStartWith("application/problem+json");
  expect(((await declared.json()) as { status: number }).status).toBe(413);
  const chunked = await fetch(`${url}/tenants`, {
    method: "POST",
    headers,
    body: new Blob([body]).stream(),
  });
  expect(chunked.status).toBe(413);
});

test("50 oversized requests grow memory by less than 20 MB", async () => {
  const oversized = "x".repeat(8 * 1024 * 1024);
  const send = () =>
    fetch(`${url}/tenants`, { method: "POST", headers, body: oversized }).then((r) => r.status);
  // Warm up, then measure from a collected heap.
  await send();
  Bun.gc(true);
  const before = process.memoryUsage().rss;
  for (let round = 0; round < 5; round++) {
    const statuses = await Promise.all(Array.from({ length: 10 }, send));
    expect(statuses).toEqual(Array(10).fill(413));
  }
  Bun.gc(true);
  const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
  console.log(`rss grew ${grownMb.toFixed(1)} MB over 50 requests of 8 MiB`);
  expect(grownMb).toBeLessThan(20);
}, 60_000);
