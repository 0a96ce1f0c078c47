/**
 * The server behind a pgbouncer in pool_mode=transaction, as docs/scaling.md tells to run it:
 * start-up refuses named prepared statements there with one line; with DATABASE_PREPARE=false and
 * DATABASE_MIGRATION_URL it migrates directly and serves a mixed load without a 500.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Pgbouncer, pgbouncerProblem, startPgbouncer } from "../scripts/pgbouncer";
import { IN_CI } from "./helpers/ci";
import { createEmptyDatabase, postgresProblem, type TestDatabase } from "./helpers/databases";
import { LISTENING, start, watch } from "./helpers/server";

const problem = postgresProblem ?? pgbouncerProblem();
if (problem !== null && !IN_CI)
  console.warn(`\n!!! SKIPPING the pgbouncer app tests: ${problem} !!!\n`);
const describeWithPgbouncer = problem === null || IN_CI ? describe : describe.skip;

const ADMIN_TOKEN = "pgbouncer-test-admin-token-0123456789abcdef";
const CLIENTS = 8;
const LOAD_MS = 3_000;

describeWithPgbouncer("the server behind pgbouncer (pool_mode=transaction)", () => {
  let bouncer: Pgbouncer;
  let database: TestDatabase;
  let pooled: string;
  let cwd: string;

  beforeAll(async () => {
    if (problem !== null) throw new Error(`cannot run through pgbouncer: ${problem}`);
    bouncer = await startPgbouncer({ poolMode: "transaction" });
    database = await createEmptyDatabase("postgres");
    pooled = bouncer.url(new URL(database.url).pathname.slice(1));
    cwd = mkdtempSync(join(tmpdir(), "tenant-api-pgbouncer-"));
  });
  afterAll(async () => {
    await database?.drop();
    await bouncer?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  test("with prepared statements on, start-up stops with one line naming DATABASE_PREPARE=false", async () => {
    const server = start(cwd, { DATABASE_URL: pooled, ADMIN_TOKEN });
    const [exitCode, stderr] = await Promise.all([
      server.exited,
      new Response(server.stderr).text(),
    ]);
    expect(exitCode).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringContaining("set DATABASE_PREPARE=false"),
    ]);
    expect(stderr).toContain('prepared statement "…" does not exist');
  }, 20_000);

  test(`DATABASE_PREPARE=false and a direct DATABASE_MIGRATION_URL: migrates, is ready, and ${CLIENTS} clients creating and reading tenants get no 500`, async () => {
    const server = start(cwd, {
      DATABASE_URL: pooled,
      DATABASE_PREPARE: "false",
      DATABASE_MIGRATION_URL: database.url,
      ADMIN_TOKEN,
    });
    const errors = watch(server.stderr);
    try {
      const url = await watch(server.stdout).waitFor(LISTENING);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      const statuses = new Map<string, number>();
      const count = (what: string, status: number) => {
        const key = `${what} ${status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      };
      const end = performance.now() + LOAD_MS;
      let serial = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() < end) {
            const slug = `load-${process.pid}-${++serial}`;
            const created = await fetch(`${url}/tenants`, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                authorization: `Bearer ${ADMIN_TOKEN}`,
              },
              body: JSON.stringify({ name: slug, slug }),
            });
            count("POST", created.status);
            if (created.status !== 201) continue;
            const tenant = (await created.json()) as { id: string; apiKey: string };
            const read = await fetch(`${url}/tenants/${tenant.id}`, {
              headers: { authorization: `Bearer ${tenant.apiKey}` },
            });
            count("GET", read.status);
            await read.arrayBuffer();
          }
        }),
      );
      console.log(
        `through pgbouncer, ${CLIENTS} clients for ${LOAD_MS} ms:`,
        Object.fromEntries(statuses),
      );
      expect([...statuses.keys()].filter((key) => key.endsWith(" 500"))).toEqual([]);
      expect(statuses.get("GET 200") ?? 0).toBeGreaterThan(CLIENTS);
      // Every tenant created was read back with its own key: no answer other than 201 and 200.
      expect(statuses.get("GET 200")).toBe(statuses.get("POST 201"));
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
    expect(errors.text()).not.toContain('"level":"error"');
  }, 30_000);
});
