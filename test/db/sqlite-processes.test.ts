import { Database as BunSqlite } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LISTENING, start, watch } from "../helpers/server";

const ADMIN_TOKEN = "two-processes-admin-token-0123456789abcdef";
const folder = mkdtempSync(join(tmpdir(), "tenant-api-two-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

test("two app processes on one SQLite file under write load: no busy error reaches a client, every 201 is a row", async () => {
  // Both start at once on a new file, so they also migrate it concurrently.
  const env = { ADMIN_TOKEN, DATABASE_URL: `file:${join(folder, "shared.db")}` };
  const servers = [start(folder, env), start(folder, env)];
  try {
    const urls = await Promise.all(
      servers.map((server) => watch(server.stdout).waitFor(LISTENING)),
    );
    const statuses: number[] = [];
    const perServer = 150;
    const concurrency = 15;
    await Promise.all(
      urls.flatMap((url, serverIndex) =>
        Array.from({ length: concurrency }, async (_, worker) => {
          for (let i = worker; i < perServer; i += concurrency) {
            const response = await fetch(`${url}/tenants`, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                authorization: `Bearer ${ADMIN_TOKEN}`,
              },
              body: JSON.stringify({ name: "Load", slug: `load-${serverIndex}-${i}` }),
            });
            statuses.push(response.status);
            await response.arrayBuffer();
          }
        }),
      ),
    );
    expect(statuses).toHaveLength(2 * perServer);
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    const file = new BunSqlite(join(folder, "shared.db"), { readonly: true });
    const rows = file.query<{ n: number }, []>("select count(*) as n from tenants").get()?.n;
    const keys = file.query<{ n: number }, []>("select count(*) as n from api_keys").get()?.n;
    file.close();
    expect(rows).toBe(2 * perServer);
    expect(keys).toBe(2 * perServer);
  } finally {
    for (const server of servers) server.kill("SIGTERM");
    await Promise.all(servers.map((server) => server.exited));
  }
}, 60_000);
