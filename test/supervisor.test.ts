import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../scripts/harness";
import { createEmptyDatabase, postgresProblem, type TestDatabase } from "./helpers/databases";
import { LISTENING, start, watch } from "./helpers/server";

const GENERATED_TOKEN = /"adminToken":"([^"]+)"/;
const ADMIN_TOKEN = "workers-test-admin-token-0123456789abcdef";
const IN_CI = process.env.CI === "true" || process.env.CI === "1";

interface LogLine {
  msg: string;
  worker?: number;
  pid?: number;
}
const logLines = (text: string): LogLine[] =>
  text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

/** A request on a connection of its own, so that the kernel picks a worker for each. */
const onNewConnection = (url: string, token: string) =>
  fetch(url, { headers: { authorization: `Bearer ${token}`, connection: "close" } });

describe.skipIf(postgresProblem !== null && !IN_CI)("WORKERS=2 on PostgreSQL", () => {
  let database: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    database = await createEmptyDatabase("postgres");
    cwd = mkdtempSync(join(tmpdir(), "tenant-api-workers-"));
  });
  afterAll(async () => {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const startTwoWorkers = (env: Record<string, string>) =>
    start(cwd, { WORKERS: "2", PORT: String(freePort()), DATABASE_URL: database.url, ...env });

  test("migrates once, both workers serve with one generated admin token, a killed worker comes back, SIGTERM stops all", async () => {
    const server = startTwoWorkers({ LOG_LEVEL: "info" });
    const stdout = watch(server.stdout);
    const stderr = watch(server.stderr);
    try {
      const url = await stdout.waitFor(LISTENING);
      const token = await stderr.waitFor(GENERATED_TOKEN);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => onNewConnection(`${url}/tenants`, token)),
      );
      expect(statuses.map((response) => response.status)).toEqual(Array(40).fill(200));

      await until(
        () => logLines(stdout.text()).filter((line) => line.msg === "request").length === 40,
        "40 request log lines",
      );
      const lines = logLines(stdout.text());
      expect(lines.filter((line) => line.msg === "migrations applied")).toHaveLength(1);
      const served = new Set(lines.filter((line) => line.msg === "request").map((l) => l.worker));
      expect([...served].sort()).toEqual([1, 2]);

      const firstPids = lines
        .filter((line) => line.msg === "worker listening")
        .map((line) => line.pid as number);
      expect(firstPids).toHaveLength(2);
      process.kill(firstPids[0] as number, "SIGKILL");
      await stderr.waitFor(/"msg":"(worker died: starting it again)"/);
      await until(
        () =>
          logLines(stdout.text()).filter((line) => line.msg === "worker listening").length === 3,
        "the worker to listen again",
      );
      const after = await Promise.all(
        Array.from({ length: 10 }, () => onNewConnection(`${url}/tenants`, token)),
      );
      expect(after.map((response) => response.status)).toEqual(Array(10).fill(200));

      const allPids = logLines(stdout.text())
        .filter((line) => line.msg === "worker listening")
        .map((line) => line.pid as number);
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(allPids.filter(alive)).toEqual([]);
    } finally {
      server.kill("SIGKILL");
    }
  }, 30_000);

  test("workers stop by themselves when their supervisor is killed outright", async () => {
    const server = startTwoWorkers({ ADMIN_TOKEN });
    const stdout = watch(server.stdout);
    await stdout.waitFor(LISTENING);
    const pids = logLines(stdout.text())
      .filter((line) => line.msg === "worker listening")
      .map((line) => line.pid as number);
    expect(pids).toHaveLength(2);
    server.kill("SIGKILL");
    await until(() => pids.every((pid) => !alive(pid)), "the orphaned workers to exit", 5_000);
  }, 20_000);

  test("a worker that cannot listen stops the supervisor with exit code 1", async () => {
    const port = freePort();
    // A listener without SO_REUSEPORT: no other socket may bind the port.
    const blocker = Bun.listen({
      hostname: "127.0.0.1",
      port,
      socket: { data() {} },
    });
    try {
      const server = startTwoWorkers({ PORT: String(port), ADMIN_TOKEN });
      const stderr = watch(server.stderr);
      expect(await server.exited).toBe(1);
      await stderr.waitFor(/"msg":"(worker stopped before it listened: stopping all workers)"/);
    } finally {
      blocker.stop(true);
    }
  }, 20_000);
});
