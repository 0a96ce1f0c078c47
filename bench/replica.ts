/**
 * Reads on a primary and its standby against the primary alone. Starts a primary and a streaming
 * standby (scripts/standby-cluster.ts), seeds the primary (10 tenants x --users users), then runs
 * the app twice, on 127.0.0.1 as in bench/run.ts: with DATABASE_URL only, and with
 * DATABASE_READ_URL naming the standby. Per scenario and round (alternating which goes first):
 * req/s, p50/p99, and the CPU each server spent per 1,000 requests (from /proc): on a machine
 * where the servers share the cores with the app and the load, throughput shows little of a
 * second server, but the primary's CPU per request shows what it was spared.
 *   bun bench/replica.ts [--duration 5] [--rounds 3] [--connections 32] [--users 1000]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { freePort } from "../scripts/harness";
import { startStandbyCluster } from "../scripts/standby-cluster";
import { openDatabase } from "../src/db/client";
import { treeCpuMs } from "./proc";
import { ADMIN_TOKEN, type Scenario, type Seeded, scenarioRequest, seed } from "./workload";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    users: { type: "string", default: "1000" },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const SCENARIOS: Scenario[] = ["GET user", "GET users page", "PATCH user"];
const TARGETS = ["primary alone", "primary + standby"] as const;
type Target = (typeof TARGETS)[number];
const APP = join(new URL("..", import.meta.url).pathname, "src/index.ts");

async function startApp(env: Record<string, string>) {
  const port = freePort();
  const child = Bun.spawn([process.execPath, APP], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_TOKEN,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      MIGRATE_ON_START: "false",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  while (
    !(await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (performance.now() - started > 30_000) throw new Error("the app did not start");
    await Bun.sleep(10);
  }
  return { child, base };
}

/** The CPU a PostgreSQL server has spent so far: its postmaster and every backend. */
const serverCpuMs = (dataDirectory: string) =>
  treeCpuMs(Number(readFileSync(join(dataDirectory, "postmaster.pid"), "utf8").split("\n")[0]));

function percentile(sorted: Float64Array, fraction: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? 0;
  return Math.round(value * 100) / 100;
}

const cluster = await startStandbyCluster(0);
try {
  const db = openDatabase({ dialect: "postgres", url: cluster.primaryUrl });
  const seeded: Seeded = await seed(db, Number(values.users));
  await db.close();
  const apps: Record<Target, Awaited<ReturnType<typeof startApp>>> = {
    "primary alone": await startApp({ DATABASE_URL: cluster.primaryUrl }),
    "primary + standby": await startApp({
      DATABASE_URL: cluster.primaryUrl,
      DATABASE_READ_URL: cluster.standbyUrl,
    }),
  };
  // The seed has reached the standby.
  await Bun.sleep(1_000);

  const load = async (target: Target, scenario: Scenario, seconds: number) => {
    const latencies: number[] = [];
    const cpu = () => [serverCpuMs(cluster.primaryData), serverCpuMs(cluster.standbyData)];
    const before = cpu();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: apps[target].base,
          connections,
          duration: seconds,
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                ...scenarioRequest(scenario, seeded, target.replace(/\W/g, "")),
              }),
            },
          ],
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      ).on("response", (_client, status, _bytes, ms) => {
        if (status < 300) latencies.push(ms);
      });
    });
    const after = cpu();
    const sorted = Float64Array.from(latencies).sort();
    const count = Math.max(1, result.requests.total);
    return {
      requestsPerSecond: Math.round(result.requests.average),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      // CPU ms per 1,000 requests.
      primaryCpu: (((after[0] as number) - (before[0] as number)) * 1000) / count,
      standbyCpu: (((after[1] as number) - (before[1] as number)) * 1000) / count,
      failed: result.non2xx + result.errors,
    };
  };

  for (const scenario of SCENARIOS) for (const target of TARGETS) await load(target, scenario, 1);
  const rows: (Awaited<ReturnType<typeof load>> & { scenario: Scenario; target: Target })[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const scenario of SCENARIOS) {
      const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      for (const target of order)
        rows.push({ scenario, target, ...(await load(target, scenario, duration)) });
    }
  }
  for (const app of Object.values(apps)) {
    app.child.kill("SIGTERM");
    await app.child.exited;
  }

  const median = (numbers: number[]) =>
    [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
  console.log(`\n${connections} connections, ${duration} s x ${rounds} rounds, medians:`);
  console.log(
    "scenario        | target            | req/s  | p50 ms | p99 ms | primary CPU ms/1k req | standby CPU ms/1k req",
  );
  let failed = 0;
  for (const scenario of SCENARIOS) {
    for (const target of TARGETS) {
      const runs = rows.filter((row) => row.scenario === scenario && row.target === target);
      failed += runs.reduce((sum, run) => sum + run.failed, 0);
      const cells = [
        scenario.padEnd(15),
        target.padEnd(17),
        String(median(runs.map((run) => run.requestsPerSecond))).padStart(6),
        median(runs.map((run) => run.p50))
          .toFixed(2)
          .padStart(6),
        median(runs.map((run) => run.p99))
          .toFixed(2)
          .padStart(6),
        Math.round(median(runs.map((run) => run.primaryCpu)))
          .toString()
          .padStart(21),
        Math.round(median(runs.map((run) => run.standbyCpu)))
          .toString()
          .padStart(21),
      ];
      console.log(cells.join(" | "));
    }
  }
  console.log(
    `rounds' req/s: ${rows.map((row) => `${row.scenario}/${row.target} ${row.requestsPerSecond}`).join(", ")}`,
  );
  if (failed > 0) {
    console.error(`${failed} requests failed`);
    process.exitCode = 1;
  }
} finally {
  await cluster.stop();
}
