/**
 * `npm run bench`: the app against the raw baseline (bench/baseline.ts), side by side, per
 * dialect, alternating targets round by round so that drift of this shared machine hits both.
 *   bun bench/run.ts [--quick] [--connections 32] [--duration 10] [--rounds 3] [--dialect both]
 *                    [--workers 2] [--pinned] [--no-pgbouncer]
 * With --workers N (default 2; 1 turns it off), PostgreSQL also runs the app with WORKERS=N; and
 * the app through a pgbouncer in pool_mode=transaction with DATABASE_PREPARE=false, unless
 * --no-pgbouncer or pgbouncer is not installed.
 * With --pinned, the server under test and a PostgreSQL of the benchmark's own share CPU 0 and the
 * load generator (this process) runs on CPU 1, so that neither side's requests compete with the
 * load generator for a core.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { freePort, TEST_DATABASE_URL } from "../scripts/harness";
import { type Pgbouncer, pgbouncerProblem, startPgbouncer } from "../scripts/pgbouncer";
import type { Dialect } from "../src/config";
import { type BenchResult, renderChart } from "./chart";
import { benchObservability, describeObservability } from "./observability";
import { type PrivatePostgres, serverCpuMeter, startPrivatePostgres } from "./private-postgres";
import { childPids, LOAD_CPU, pinThisProcess, SERVER_CPU } from "./proc";
import { type ScenarioSummary, type TargetCheck, targetChecks } from "./targets";
import {
  ADMIN_TOKEN,
  SCENARIOS,
  type Scenario,
  type Seeded,
  scenarioRequest,
  seededDatabase,
} from "./workload";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    connections: { type: "string", default: "32" },
    duration: { type: "string" },
    rounds: { type: "string" },
    dialect: { type: "string", default: "both" },
    workers: { type: "string", default: "2" },
    "no-pgbouncer": { type: "boolean" },
    pinned: { type: "boolean" },
  },
});
const pinned = values.pinned === true;
const quick = values.quick === true;
const connections = Number(values.connections);
const duration = Number(values.duration ?? (quick ? 2 : 10));
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const dialects: Dialect[] =
  values.dialect === "both" ? ["sqlite", "postgres"] : [values.dialect as Dialect];
const USERS_PER_TENANT = quick ? 100 : 1_000;
const WARM_UP_SECONDS = Math.min(2, duration);
const ROOT = new URL("..", import.meta.url).pathname;
// Pinned, the app has one core: more processes would only take turns on it.
const workers = pinned ? 1 : Number(values.workers);
let privatePostgres: PrivatePostgres | undefined;
if (pinned) {
  pinThisProcess(LOAD_CPU);
  if (dialects.includes("postgres")) privatePostgres = await startPrivatePostgres(SERVER_CPU);
  // An interrupted run stops its PostgreSQL too: it runs as another user, outside this process.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void (privatePostgres?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
}
const postgresServer = privatePostgres?.url ?? TEST_DATABASE_URL;
const postgresCpuMs = privatePostgres?.cpuMs ?? (await serverCpuMeter(postgresServer));
const APP = join(ROOT, "src/index.ts");
const BASELINE = join(ROOT, "bench/baseline.ts");
const pgbouncerSkipped = values["no-pgbouncer"] === true ? "--no-pgbouncer" : pgbouncerProblem();
/**
 * What runs: the app, the app with WORKERS=N (PostgreSQL), the app through pgbouncer
 * (PostgreSQL), and the raw baseline.
 */
type Target = "app" | "app-workers" | "app-pgbouncer" | "baseline";
const ENTRIES: Record<Target, { entry: string; env: Record<string, string> }> = {
  app: { entry: APP, env: {} },
  "app-workers": { entry: APP, env: { WORKERS: String(workers) } },
  "app-pgbouncer": { entry: APP, env: { DATABASE_PREPARE: "false" } },
  baseline: { entry: BASELINE, env: {} },
};
const targetsFor = (dialect: Dialect): Target[] => {
  if (dialect !== "postgres") return ["app", "baseline"];
  return [
    "app",
    ...(workers > 1 ? (["app-workers"] as const) : []),
    ...(pgbouncerSkipped === null ? (["app-pgbouncer"] as const) : []),
    "baseline",
  ];
};
const labelOf = (target: Target, dialect: Dialect): string => {
  switch (target) {
    case "app":
    case "baseline":
      return dialect;
    case "app-workers":
      return `${dialect}, WORKERS=${workers}`;
    case "app-pgbouncer":
      return `${dialect} through pgbouncer (transaction), DATABASE_PREPARE=false`;
  }
};
// One pooler for the run, in front of the benchmark's PostgreSQL server; as many server
// connections as the app opens (DATABASE_POOL_SIZE 10 and DATABASE_READ_CONNECTIONS 2 by default).
let pgbouncer: Pgbouncer | undefined;
const throughPgbouncer = async (url: string) => {
  pgbouncer ??= await startPgbouncer({ poolMode: "transaction", poolSize: 12, target: url });
  return pgbouncer.url(new URL(url).pathname.slice(1));
};

/** Starts a target on a migrated database; resolves once /health answers, with the time that took. */
async function startTarget(target: Target, url: string) {
  const port = freePort();
  const startedAt = performance.now();
  const command = [process.execPath, ENTRIES[target].entry];
  const child = Bun.spawn(pinned ? ["taskset", "-c", SERVER_CPU, ...command] : command, {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_TOKEN,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      MIGRATE_ON_START: "false",
      ...ENTRIES[target].env,
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  const healthy = () =>
    fetch(`${base}/health`).then(
      (response) => response.ok,
      () => false,
    );
  while (!(await healthy())) {
    if (performance.now() - startedAt > 30_000) throw new Error(`${target} did not start`);
    await Bun.sleep(5);
  }
  return { child, base, startMs: Math.round(performance.now() - startedAt) };
}

/** The value below which `fraction` of the sorted values lie, in ms to the hundredth. */
function percentile(sorted: Float64Array, fraction: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? 0;
  return Math.round(value * 100) / 100;
}

/** Peak resident memory of a process, from Linux's VmHWM. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
}

/** The largest peak of a process and its children (a supervisor's workers). */
function peakRssOfTreeMb(pid: number): number {
  return Math.max(peakRssMb(pid), ...childPids(pid).map(peakRssOfTreeMb));
}

function requestFor(scenario: Scenario, seeded: Seeded, target: Target): autocannon.Request {
  return {
    setupRequest: (request) => ({ ...request, ...scenarioRequest(scenario, seeded, target) }),
  };
}

interface Measure {
  dialect: Dialect;
  scenario: Scenario;
  target: Target;
  round: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU time PostgreSQL spent per answered request, in ms; undefined on SQLite. */
  pgCpuMsPerRequest: number | undefined;
}

interface DialectResult {
  measures: Measure[];
  rss: Partial<Record<Target, number>>;
  startMs: Partial<Record<Target, number>>;
}

async function benchDialect(dialect: Dialect): Promise<DialectResult> {
  const targets = targetsFor(dialect);
  const running: Partial<
    Record<
      Target,
      {
        child: ReturnType<typeof Bun.spawn>;
        base: string;
        seeded: Seeded;
        drop: () => Promise<void>;
        startMs: number;
      }
    >
  > = {};
  const measures: Measure[] = [];
  try {
    for (const target of targets) {
      const { url, drop, db, seeded } = await seededDatabase(
        dialect,
        `bench_${target.replace("-", "_")}`,
        USERS_PER_TENANT,
        postgresServer,
      );
      await db.close();
      const appUrl = target === "app-pgbouncer" ? await throughPgbouncer(url) : url;
      running[target] = { ...(await startTarget(target, appUrl)), seeded, drop };
    }
    const load = async (target: Target, scenario: Scenario, seconds: number) => {
      const { base, seeded } = running[target] as NonNullable<(typeof running)[Target]>;
      // autocannon's own histogram keeps whole milliseconds, too coarse to compare a p99 of 2 ms
      // with one of 3 ms; its response event carries each response's time in fractions of a ms.
      const latencies: number[] = [];
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const options = {
          url: base,
          connections,
          duration: seconds,
          requests: [requestFor(scenario, seeded, target)],
        };
        autocannon(options, (error, result) => (error ? reject(error) : resolve(result))).on(
          "response",
          (_client, statusCode, _bytes, milliseconds) => {
            if (statusCode < 300) latencies.push(milliseconds);
          },
        );
      });
      const sorted = Float64Array.from(latencies).sort();
      return { result, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
    };
    // Unmeasured warm-up of every scenario on every target: the JIT compiles the hot paths
    // before the first measured round, for each side alike.
    for (const scenario of SCENARIOS) {
      for (const target of targets) await load(target, scenario, WARM_UP_SECONDS);
    }
    for (let round = 0; round < rounds; round++) {
      for (const scenario of SCENARIOS) {
        // Rotate which target goes first, so that none always runs on a warmer machine.
        const order = targets.map((_, k) => targets[(k + round) % targets.length] as Target);
        for (const target of order) {
          const cpuBefore = dialect === "postgres" ? postgresCpuMs?.() : undefined;
          const { result, p50, p99 } = await load(target, scenario, duration);
          const cpuAfter = dialect === "postgres" ? postgresCpuMs?.() : undefined;
          measures.push({
            pgCpuMsPerRequest:
              cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
                ? undefined
                : (cpuAfter - cpuBefore) / result.requests.total,
            dialect,
            scenario,
            target,
            round,
            requestsPerSecond: result.requests.average,
            p50,
            p99,
            non2xx: result.non2xx,
            errors: result.errors + result.timeouts,
          });
        }
      }
    }
    const rss: DialectResult["rss"] = {};
    const startMs: DialectResult["startMs"] = {};
    for (const target of targets) {
      const entry = running[target] as NonNullable<(typeof running)[Target]>;
      rss[target] = peakRssOfTreeMb(entry.child.pid);
      startMs[target] = entry.startMs;
    }
    return { measures, rss, startMs };
  } finally {
    for (const entry of Object.values(running)) {
      entry.child.kill("SIGTERM");
      await entry.child.exited;
      await entry.drop();
    }
  }
}

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
const rows: string[] = [];
const summary: (ScenarioSummary & Record<string, unknown>)[] = [];
const starts: string[] = [];
rows.push(
  "| dialect | scenario | app req/s | baseline req/s | ratio (rounds) | app p50/p99 ms | baseline p50/p99 ms | non-2xx app/base | peak RSS MB app/base | PostgreSQL CPU ms/request app/base |",
);
rows.push("|---|---|---|---|---|---|---|---|---|---|");
const cpuPerRequest = (of: Measure[]) => {
  const values = of.flatMap((m) =>
    m.pgCpuMsPerRequest === undefined ? [] : [m.pgCpuMsPerRequest],
  );
  return values.length === 0 ? undefined : Number(median(values).toFixed(3));
};
for (const dialect of dialects) {
  const { measures, rss, startMs } = await benchDialect(dialect);
  const apps = targetsFor(dialect).filter((target) => target !== "baseline");
  for (const app of apps) {
    const label = labelOf(app, dialect);
    starts.push(`${label}: ${startMs[app]} ms (baseline ${startMs.baseline} ms)`);
    for (const scenario of SCENARIOS) {
      const of = (target: Target) =>
        measures.filter((m) => m.scenario === scenario && m.target === target);
      const [ours, base] = [of(app), of("baseline")];
      const appRps = median(ours.map((m) => m.requestsPerSecond));
      const baseRps = median(base.map((m) => m.requestsPerSecond));
      // Each round's app and baseline runs are adjacent in time: their ratio cancels the drift of
      // the machine between rounds, which a ratio of the two medians does not.
      const roundRatios = ours.map(
        (m) =>
          m.requestsPerSecond / (base.find((b) => b.round === m.round)?.requestsPerSecond ?? 0),
      );
      const line = {
        dialect,
        workers: app === "app-workers" ? workers : 1,
        ...(app === "app-pgbouncer" ? { through: "pgbouncer pool_mode=transaction" } : {}),
        scenario,
        appRps: Math.round(appRps),
        baselineRps: Math.round(baseRps),
        ratio: Number(median(roundRatios).toFixed(2)),
        roundRatios: roundRatios.map((ratio) => Number(ratio.toFixed(2))),
        appRpsByRound: ours.map((m) => Math.round(m.requestsPerSecond)),
        baselineRpsByRound: base.map((m) => Math.round(m.requestsPerSecond)),
        appP50: median(ours.map((m) => m.p50)),
        appP99: median(ours.map((m) => m.p99)),
        baselineP50: median(base.map((m) => m.p50)),
        baselineP99: median(base.map((m) => m.p99)),
        appNon2xx: ours.reduce((sum, m) => sum + m.non2xx + m.errors, 0),
        baselineNon2xx: base.reduce((sum, m) => sum + m.non2xx + m.errors, 0),
        appPeakRssMb: Math.round(rss[app] ?? 0),
        baselinePeakRssMb: Math.round(rss.baseline ?? 0),
        appStartMs: startMs[app],
        appPgCpuMsPerRequest: cpuPerRequest(ours),
        baselinePgCpuMsPerRequest: cpuPerRequest(base),
      };
      summary.push(line);
      rows.push(
        `| ${label} | ${scenario} | ${line.appRps} | ${line.baselineRps} | ${line.ratio} (${line.roundRatios.join(", ")}) | ${line.appP50}/${line.appP99} | ${line.baselineP50}/${line.baselineP99} | ${line.appNon2xx}/${line.baselineNon2xx} | ${line.appPeakRssMb}/${line.baselinePeakRssMb} | ${line.appPgCpuMsPerRequest === undefined ? "" : `${line.appPgCpuMsPerRequest}/${line.baselinePgCpuMsPerRequest}`} |`,
      );
    }
  }
}
await privatePostgres?.stop();
const mode = pinned
  ? `pinned: server and PostgreSQL on CPU ${SERVER_CPU}, load generator on CPU ${LOAD_CPU}`
  : "unpinned";
console.log(
  `\n${connections} connections, ${duration} s per run, ${rounds} rounds, ${mode}: medians of req/s and latency; ratio: the median of each round's app/baseline, ${new Date().toISOString()}\n`,
);
console.log(rows.join("\n"));
// The targets are the app's own, one process on a direct connection.
const checks: TargetCheck[] = targetChecks(
  summary.filter((line) => line.workers === 1 && line.through === undefined),
);
console.log(`\nTargets (${mode}):`);
for (const check of checks) console.log(`${check.met ? "met   " : "MISSED"} ${check.description}`);
if (pgbouncerSkipped !== null) console.log(`\nno row through pgbouncer: ${pgbouncerSkipped}`);
await pgbouncer?.stop();
console.log(`\nStart to first healthy /health, migrated database:\n${starts.join("\n")}`);
// More and shorter rounds than the scenarios get: what is measured is a few percent, about
// what one server process differs from the next.
const observability = await benchObservability({
  dialects,
  connections,
  duration: Math.min(duration, 3),
  rounds: quick ? 1 : Math.max(rounds, 8),
  usersPerTenant: USERS_PER_TENANT,
  ...(pinned && { serverCpu: SERVER_CPU }),
  cpuBatches: quick ? 3 : 30,
  cpuBatchSize: quick ? 500 : 1_000,
});
console.log(
  `\nMetrics and traces, read throughput (docs/performance.md):\n${describeObservability(observability)}`,
);
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
const file = join(
  ROOT,
  "bench/results",
  `${new Date().toISOString().slice(0, 10)}${quick ? "-quick" : ""}.json`,
);
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), connections, duration, rounds, pinned, results: summary, targets: checks, observability: { http: observability.lines, cpu: observability.cpu } }, null, 2)}\n`,
);
const chart = await renderChart(JSON.parse(readFileSync(file, "utf8")) as BenchResult);
writeFileSync(file.replace(/\.json$/, ".svg"), chart);
// docs/performance.md shows the latest full run.
if (!quick) writeFileSync(join(ROOT, "docs/performance.svg"), chart);
console.log(`\nwritten to ${file} and its chart, ${file.replace(/\.json$/, ".svg")}`);
const failures = summary.filter(
  (line) => (line.appNon2xx as number) > 0 || (line.baselineNon2xx as number) > 0,
);
process.exit(failures.length === 0 ? 0 : 1);
