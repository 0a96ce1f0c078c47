import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmptyDatabase, postgresProblem } from "./helpers/databases";
import { LISTENING, start, watch } from "./helpers/server";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "tenant-api-start-"));
  folders.push(folder);
  return folder;
}

/** The admin token a start without ADMIN_TOKEN generates and prints on stderr. */
const GENERATED_TOKEN = /"adminToken":"([^"]+)"/;

const ADMIN_TOKEN = "startup-test-admin-token-0123456789abcdef";

describe("start-up", () => {
  test("with no configuration: creates ./data/app.db, migrates, serves, stops on SIGTERM", async () => {
    const cwd = tempFolder();
    const server = start(cwd, {});
    try {
      const url = await watch(server.stdout).waitFor(LISTENING);
      const token = await watch(server.stderr).waitFor(GENERATED_TOKEN);
      expect(existsSync(join(cwd, "data", "app.db"))).toBe(true);
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "ready", database: "sqlite" });
      const create = (authorization: string) =>
        fetch(`${url}/tenants`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization },
          body: JSON.stringify({ name: "Start", slug: "start" }),
        });
      expect((await create("Bearer not-the-token")).status).toBe(401);
      expect((await create(`Bearer ${token}`)).status).toBe(201);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
  }, 20_000);

  test("a second start on the migrated file applies nothing and keeps the data", async () => {
    const cwd = tempFolder();
    for (const round of [1, 2]) {
      const server = start(cwd, { ADMIN_TOKEN });
      const url = await watch(server.stdout).waitFor(LISTENING);
      const authorization = `Bearer ${ADMIN_TOKEN}`;
      if (round === 1) {
        await fetch(`${url}/tenants`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization },
          body: JSON.stringify({ name: "Kept", slug: "kept" }),
        });
      } else {
        const response = await fetch(`${url}/tenants`, { headers: { authorization } });
        const { data } = (await response.json()) as { data: unknown[] };
        expect(data).toHaveLength(1);
      }
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }
  }, 20_000);

  test.each(["SIGTERM", "SIGINT"] as const)(
    "%s: 50 requests in flight all finish with 2xx, new connections are refused, exit 0",
    async (signal) => {
      const server = start(tempFolder(), { ADMIN_TOKEN });
      const stdout = watch(server.stdout);
      const url = await stdout.waitFor(LISTENING);
      const headers = {
        "content-type": "application/json",
        authorization: `Bearer ${ADMIN_TOKEN}`,
      };
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
      const tenant = (await (
        await post("/tenants", { name: "Drain", slug: `drain-${signal.toLowerCase()}` })
      ).json()) as {
        id: string;
      };
      const credentials = { email: "drain@example.com", password: "long enough password" };
      await post(`/tenants/${tenant.id}/users`, { ...credentials, name: "Drain" });
      // Each check costs an argon2id verification: together they keep the server busy for a while.
      let finished = 0;
      const inFlight = Array.from({ length: 50 }, () =>
        post(`/tenants/${tenant.id}/credentials/verify`, credentials).then((response) => {
          finished++;
          return response.status;
        }),
      );
      await Bun.sleep(100);
      server.kill(signal);
      await stdout.waitFor(/"msg":"(stopping)/);
      const during = await fetch(`${url}/health`).then(
        (response) => `answered ${response.status}`,
        () => "refused",
      );
      expect(during).toBe("refused");
      // The refusal came while the server was still draining, not after it had gone.
      expect(finished).toBeLessThan(50);
      expect(await Promise.all(inFlight)).toEqual(Array(50).fill(200));
      expect(await server.exited).toBe(0);
      await stdout.waitFor(/"msg":"(stopped)"/);
    },
    30_000,
  );

  test.each(["sqlite", "postgres"] as const)(
    "%s: a stop lets handlers finish whose clients hung up; their writes land before the database closes",
    async (dialect) => {
      if (dialect === "postgres" && postgresProblem !== null) return;
      const cwd = tempFolder();
      const database = dialect === "postgres" ? await createEmptyDatabase("postgres") : undefined;
      const metricsToken = "startup-test-metrics-token-0123456789abcdef";
      const server = start(cwd, {
        ADMIN_TOKEN,
        METRICS_TOKEN: metricsToken,
        ...(database && { DATABASE_URL: database.url }),
      });
      try {
        const stdout = watch(server.stdout);
        const stderr = watch(server.stderr);
        const url = await stdout.waitFor(LISTENING);
        const headers = {
          "content-type": "application/json",
          authorization: `Bearer ${ADMIN_TOKEN}`,
        };
        const created = await fetch(`${url}/tenants`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: "Hung up", slug: "hung-up" }),
        });
        const tenant = (await created.json()) as { id: string };
        // Each create hashes a password (argon2id, tens of milliseconds), then inserts: the
        // clients give up while hashes run, and the stop comes right after.
        const hangUp = new AbortController();
        const creates = Array.from({ length: 20 }, (_, index) =>
          fetch(`${url}/tenants/${tenant.id}/users`, {
            method: "POST",
            headers,
            body: JSON.stringify({
              email: `gone${index}@example.com`,
              name: "Gone",
              password: "long enough password",
            }),
            signal: hangUp.signal,
          }).then(
            (response) => response.status,
            () => "hung up",
          ),
        );
        // Hang up only once the server has taken all 20 (in flight, besides this scrape, or done).
        for (;;) {
          const scrape = await fetch(`${url}/metrics`, {
            headers: { authorization: `Bearer ${metricsToken}` },
          }).then((response) => response.text());
          const inFlight = Number(scrape.match(/^tenant_api_http_requests_in_flight (\d+)/m)?.[1]);
          const answered = [
            ...scrape.matchAll(
              /^tenant_api_http_requests_total\{[^}]*route="\/tenants\/:tenantId\/users"[^}]*\} (\d+)/gm,
            ),
          ].reduce((sum, match) => sum + Number(match[1]), 0);
          if (inFlight - 1 + answered >= 20) break;
          await Bun.sleep(2);
        }
        hangUp.abort();
        const outcomes = await Promise.all(creates);
        expect(outcomes).toContain("hung up");
        server.kill("SIGTERM");
        expect(await server.exited).toBe(0);
        await stdout.waitFor(/"msg":"(stopped)"/);
        const log = stdout.text() + stderr.text();
        expect(log).not.toContain('"level":"error"');
        expect(log).not.toContain('"level":"warn"');
        if (database?.db.dialect === "postgres") {
          const [row] = await database.db.sql<{ count: number }[]>`
            select count(*)::int as count from users`;
          expect(row?.count).toBe(20);
          return;
        }
        const db = new Database(join(cwd, "data", "app.db"), { readonly: true });
        try {
          const row = db.query<{ count: number }, []>("select count(*) as count from users").get();
          expect(row?.count).toBe(20);
        } finally {
          db.close();
        }
      } finally {
        server.kill("SIGKILL");
        await database?.drop();
      }
    },
    30_000,
  );

  test.skipIf(postgresProblem !== null)(
    "DATABASE_URL=postgres://… serves from PostgreSQL",
    async () => {
      const database = await createEmptyDatabase("postgres");
      const server = start(tempFolder(), { DATABASE_URL: database.url });
      try {
        const url = await watch(server.stdout).waitFor(LISTENING);
        expect(await (await fetch(`${url}/ready`)).json()).toMatchObject({ database: "postgres" });
      } finally {
        server.kill("SIGTERM");
        await server.exited;
        await database.drop();
      }
    },
    20_000,
  );

  test.each([
    [
      { DATABASE_URL: "mysql://root@localhost/app" },
      /^tenant-api: DATABASE_URL="mysql:\/\/root@localhost\/app" is invalid: expected/,
    ],
    [
      { PORT: "eighty" },
      /^tenant-api: PORT="eighty" is invalid: expected an integer from 0 to 65535$/,
    ],
    [{ LOG_LEVEL: "chatty" }, /^tenant-api: LOG_LEVEL="chatty" is invalid/],
    [{ NODE_ENV: "production" }, /^tenant-api: ADMIN_TOKEN is required when NODE_ENV=production/],
    [
      { DATABASE_URL: "postgres://nobody:secret@127.0.0.1:1/none" },
      /^tenant-api: cannot open the postgres database: .*ECONNREFUSED/,
    ],
  ])(
    "%o exits 1 with one line and no stack trace",
    async (env, message) => {
      const server = start(tempFolder(), env);
      expect(await server.exited).toBe(1);
      const stderr = (await new Response(server.stderr).text()).trim();
      expect(stderr.split("\n")).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(stderr).not.toContain("secret");
      expect(stderr).not.toMatch(/^\s+at |:\d+:\d+\)/m);
    },
    20_000,
  );
});
