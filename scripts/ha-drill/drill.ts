/**
 * The failover drill: the app on a pg_auto_failover formation under a bounded load, through a
 * planned switchover and an unplanned failure of the primary.
 */
import postgres from "postgres";
import { freePort } from "../harness";
import { Formation } from "./formation";
import { type Outcome, startLoad } from "./load";
import { analyse, type EventReport } from "./report";
import type { FailoverTimeouts } from "./timeouts";

const ENTRY = new URL("../../src/index.ts", import.meta.url).pathname;
const ADMIN_TOKEN = "drill-admin-token-0123456789abcdef0123456789";
/** The app's DATABASE_ACQUIRE_TIMEOUT_MS in the drill (its default). */
export const ACQUIRE_TIMEOUT_MS = 2_000;
// Writes must have come back for this long before an event counts as over.
const STEADY_MS = 3_000;

export interface DrillReport {
  uri: string;
  switchover: EventReport;
  failover: EventReport;
}

/** The formation's URI as pg_autoctl prints it, with the role the app connects as. */
const withUser = (uri: string) => uri.replace(/^postgres:\/\//, "postgres://postgres@");

async function startApp(databaseUrl: string) {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = Bun.spawn([process.execPath, ENTRY], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: "true",
      DATABASE_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_TOKEN,
      LOG_LEVEL: "error",
    },
    stdout: "inherit",
    stderr: "inherit",
  });
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${base}/ready`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline || app.exitCode !== null) throw new Error("the app did not start");
    await Bun.sleep(200);
  }
  return { app, base };
}

/** Waits until writes have succeeded without a failure for STEADY_MS after `since`. */
async function waitForSteadyWrites(outcomes: Outcome[], since: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const writes = outcomes.filter(
      (outcome) => outcome.kind === "write" && outcome.endedAt > since,
    );
    const lastFailure = writes.findLast((outcome) => outcome.status !== 201)?.endedAt ?? since;
    const okAfter = writes.filter((outcome) => outcome.endedAt > lastFailure);
    if (okAfter.length > 0 && performance.now() - lastFailure > STEADY_MS) return;
    if (performance.now() > deadline) return;
    await Bun.sleep(250);
  }
}

/**
 * Whether /ready answers 200 within `timeoutMs`: recovering by itself means the pools reconnect
 * on their own, which may take one more probe than the first request after the failover.
 */
async function readyWithin(base: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${base}/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return true;
    if (performance.now() > deadline) return false;
    await Bun.sleep(250);
  }
}

async function missingWrites(uri: string, outcomes: Outcome[]): Promise<Set<string>> {
  const ids = outcomes.flatMap((outcome) => (outcome.id ? [outcome.id] : []));
  const sql = postgres(uri, { max: 1, onnotice: () => {} });
  try {
    const found = await sql<
      { id: string }[]
    >`select id from tenants where id = any(${ids}::uuid[])`;
    const present = new Set(found.map((row) => row.id));
    return new Set(ids.filter((id) => !present.has(id)));
  } finally {
    await sql.end();
  }
}

export async function runDrill(
  timeouts: FailoverTimeouts,
  log: (line: string) => void,
): Promise<DrillReport> {
  log("starting a monitor and two nodes");
  const formation = await Formation.start(timeouts, log);
  try {
    const printed = await formation.uri();
    log(`pg_autoctl show uri: ${printed}`);
    const uri = withUser(printed);
    const { app, base } = await startApp(uri);
    try {
      const seed = await fetch(`${base}/tenants`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Read me", slug: "drill-read" }),
      });
      const { id: readId } = (await seed.json()) as { id: string };
      const load = startLoad({ base, adminToken: ADMIN_TOKEN, writers: 4, readers: 4, readId });
      await Bun.sleep(STEADY_MS);

      log("planned switchover");
      const switchoverAt = performance.now();
      await formation.switchover();
      await formation.waitForStates(["primary", "secondary"], 60_000);
      await waitForSteadyWrites(load.outcomes, switchoverAt, 30_000);
      const failoverAt = performance.now();

      log("unplanned failure: SIGKILL to the primary's postgres and keeper");
      const killed = await formation.killPrimary();
      log(`killed ${killed.name}`);
      await waitForSteadyWrites(load.outcomes, failoverAt, 90_000);
      await load.stop();
      const endedAt = performance.now();
      const ready = await readyWithin(base, 10_000);

      const missing = await missingWrites(uri, load.outcomes);
      const recovered = app.exitCode === null && ready;
      return {
        uri: printed,
        switchover: analyse(load.outcomes, switchoverAt, failoverAt, missing, recovered),
        failover: analyse(load.outcomes, failoverAt, endedAt, missing, recovered),
      };
    } finally {
      app.kill();
      await app.exited;
    }
  } finally {
    await formation.stop();
  }
}
