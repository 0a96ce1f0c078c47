/**
 * What metrics and traces cost (part of `npm run bench`): read throughput of the app with
 * metrics off, on (the default), and on with traces exported to an OTLP/HTTP receiver in this
 * process, every span sampled. One seeded database per dialect serves the three; every round
 * starts each variant afresh, warms it for a second, loads it, and stops it; the variants take
 * turns, and each round's ratio is to the run of metrics off in that round, so that drift of
 * this shared machine cancels out. Pinned (`--pinned`), the servers run on the server's CPU.
 */
import autocannon from "autocannon";
import { freePort } from "../scripts/harness";
import type { Dialect } from "../src/config";
import { type CpuLine, describeCpu, measureMetricsCpu } from "./observability-cpu";
import { LOAD_CPU, pinThisProcess, processCpuMs, SERVER_CPU } from "./proc";
import {
  ADMIN_TOKEN,
  type Scenario,
  type Seeded,
  scenarioRequest,
  seededDatabase,
} from "./workload";

const APP = new URL("../src/index.ts", import.meta.url).pathname;
const READS: Scenario[] = ["GET user", "GET users page"];
/** The budget: metrics may cost at most this share of read throughput. */
export const METRICS_BUDGET = 0.05;

type Variant = "metrics off" | "metrics on" | "metrics + traces";
const VARIANTS: Variant[] = ["metrics off", "metrics on", "metrics + traces"];

export interface ObservabilityLine {
  dialect: Dialect;
  scenario: Scenario;
  /** Median req/s of each variant over the rounds. */
  rps: Record<Variant, number>;
  /** Median of each round's ratio to "metrics off" in the same round, and the rounds' own. */
  metricsRatio: number;
  tracesRatio: number;
  metricsRatios: number[];
  tracesRatios: number[];
  /** The server's CPU per request (µs, median of the rounds), and metrics' share of it per round. */
  serverCpuUs: Record<Variant, number>;
  metricsCpuCosts: number[];
  metricsCpuCost: number;
}

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;

/** Takes OTLP/HTTP exports and keeps only their count and size. */
function startReceiver() {
  let batches = 0;
  let bytes = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      bytes += (await request.arrayBuffer()).byteLength;
      batches++;
      return Response.json({});
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    stats: () => ({ batches, bytes }),
    stop: () => server.stop(true),
  };
}

async function startApp(
  variant: Variant,
  databaseUrl: string,
  receiverUrl: string,
  cpu: string | undefined,
) {
  const port = freePort();
  const variantEnv: Record<Variant, Record<string, string>> = {
    "metrics off": { METRICS_ENABLED: "false" },
    "metrics on": {},
    "metrics + traces": {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
      OTEL_TRACES_SAMPLER: "always_on",
      // Sent every 200 ms with room for every span: the SDK's defaults (5 s, 2,048 spans) would
      // drop most spans at these rates, and cost less than what a tuned deployment pays.
      OTEL_BSP_SCHEDULE_DELAY: "200",
      OTEL_BSP_MAX_QUEUE_SIZE: "65536",
    },
  };
  const command = [process.execPath, APP];
  const child = Bun.spawn(cpu === undefined ? command : ["taskset", "-c", cpu, ...command], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_TOKEN,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      MIGRATE_ON_START: "false",
      ...variantEnv[variant],
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  for (;;) {
    const healthy = await fetch(`${base}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (performance.now() - startedAt > 30_000) throw new Error(`${variant} did not start`);
    await Bun.sleep(5);
  }
  return { child, base };
}

async function load(
  base: string,
  scenario: Scenario,
  seeded: Seeded,
  connections: number,
  seconds: number,
) {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              ...scenarioRequest(scenario, seeded, "obs"),
            }),
          },
        ],
      },
      (error, answer) => (error ? reject(error) : resolve(answer)),
    );
  });
  if (result.non2xx + result.errors + result.timeouts > 0) {
    throw new Error(
      `${scenario} on ${base}: ${result.non2xx} non-2xx, ${result.errors + result.timeouts} errors`,
    );
  }
  return { rps: result.requests.average, requests: result.requests.total };
}

export async function benchObservability(options: {
  dialects: Dialect[];
  connections: number;
  duration: number;
  rounds: number;
  usersPerTenant: number;
  /** The CPU the servers are pinned to (`--pinned`), or none. */
  serverCpu?: string;
  /** In-process batches per variant (see bench/observability-cpu.ts), and their size. */
  cpuBatches: number;
  cpuBatchSize: number;
}): Promise<{
  lines: ObservabilityLine[];
  cpu: CpuLine[];
  exported: { batches: number; bytes: number };
}> {
  const receiver = startReceiver();
  const lines: ObservabilityLine[] = [];
  try {
    for (const dialect of options.dialects) {
      const { url, drop, db, seeded } = await seededDatabase(
        dialect,
        "bench_observability",
        options.usersPerTenant,
      );
      await db.close();
      try {
        for (const scenario of READS) {
          const byRound: Record<Variant, number>[] = [];
          const cpuByRound: Record<Variant, number>[] = [];
          for (let round = 0; round < options.rounds; round++) {
            const measured = {} as Record<Variant, number>;
            const cpu = {} as Record<Variant, number>;
            // Rotate which variant goes first, so that none always runs on a warmer machine.
            for (let k = 0; k < VARIANTS.length; k++) {
              const variant = VARIANTS[(k + round) % VARIANTS.length] as Variant;
              // A process of its own every round: two processes of the same code differ by a
              // few percent for as long as they live (what the JIT made of them), as much as
              // the metrics cost, so one process per variant would measure its luck.
              const app = await startApp(variant, url, receiver.url, options.serverCpu);
              try {
                await load(app.base, scenario, seeded, options.connections, 1);
                const before = processCpuMs(app.child.pid) * 1000;
                const { rps, requests } = await load(
                  app.base,
                  scenario,
                  seeded,
                  options.connections,
                  options.duration,
                );
                measured[variant] = rps;
                cpu[variant] =
                  (processCpuMs(app.child.pid) * 1000 - before) / Math.max(1, requests);
              } finally {
                app.child.kill("SIGTERM");
                await app.child.exited;
              }
            }
            byRound.push(measured);
            cpuByRound.push(cpu);
          }
          const cpuCosts = cpuByRound.map(
            (round) => round["metrics on"] / round["metrics off"] - 1,
          );
          const ratios = (variant: Variant) =>
            byRound.map((round) => round[variant] / round["metrics off"]);
          const round2 = (value: number) => Number(value.toFixed(3));
          lines.push({
            dialect,
            scenario,
            rps: Object.fromEntries(
              VARIANTS.map((variant) => [
                variant,
                Math.round(median(byRound.map((round) => round[variant]))),
              ]),
            ) as Record<Variant, number>,
            metricsRatio: round2(median(ratios("metrics on"))),
            tracesRatio: round2(median(ratios("metrics + traces"))),
            metricsRatios: ratios("metrics on").map(round2),
            tracesRatios: ratios("metrics + traces").map(round2),
            serverCpuUs: Object.fromEntries(
              VARIANTS.map((variant) => [
                variant,
                Math.round(median(cpuByRound.map((round) => round[variant])) * 10) / 10,
              ]),
            ) as Record<Variant, number>,
            metricsCpuCosts: cpuCosts.map(round2),
            metricsCpuCost: round2(median(cpuCosts)),
          });
        }
      } finally {
        await drop();
      }
    }
    const exported = receiver.stats();
    const cpu = await measureMetricsCpu({
      dialects: options.dialects,
      batches: options.cpuBatches,
      batchSize: options.cpuBatchSize,
    });
    return { lines, cpu, exported };
  } finally {
    receiver.stop();
  }
}

/** The table `npm run bench` prints, and whether the metrics stayed within their budget. */
export function describeObservability({
  lines,
  cpu,
  exported,
}: Awaited<ReturnType<typeof benchObservability>>): string {
  const percent = (ratio: number) => `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)}%`;
  const share = (cost: number) => `${cost >= 0 ? "+" : ""}${(cost * 100).toFixed(1)}%`;
  const rows = [
    "| dialect | read | metrics off req/s | metrics on req/s | throughput (rounds) | metrics + traces req/s | throughput (rounds) |",
    "|---|---|---|---|---|---|---|",
    ...lines.map(
      (line) =>
        `| ${line.dialect} | ${line.scenario} | ${line.rps["metrics off"]} | ${line.rps["metrics on"]} | ${percent(line.metricsRatio)} (${line.metricsRatios.map(percent).join(", ")}) | ${line.rps["metrics + traces"]} | ${percent(line.tracesRatio)} (${line.tracesRatios.map(percent).join(", ")}) |`,
    ),
  ];
  const cpuRows = [
    "| dialect | read | metrics off | metrics on | metrics' CPU (rounds) | metrics + traces |",
    "|---|---|---|---|---|---|",
    ...lines.map(
      (line) =>
        `| ${line.dialect} | ${line.scenario} | ${line.serverCpuUs["metrics off"]} | ${line.serverCpuUs["metrics on"]} | ${share(line.metricsCpuCost)} (${line.metricsCpuCosts.map(share).join(", ")}) | ${line.serverCpuUs["metrics + traces"]} |`,
    ),
  ];
  const budget = `${(METRICS_BUDGET * 100).toFixed(0)}%`;
  const over = (cost: (line: ObservabilityLine) => number) =>
    lines
      .filter((line) => cost(line) > METRICS_BUDGET)
      .map((line) => `${line.dialect} ${line.scenario}`);
  const verdict = (what: string, scenarios: string[]) =>
    scenarios.length === 0
      ? `Metrics within ${budget} of ${what} in every read scenario (median of the rounds).`
      : `Metrics over ${budget} of ${what} in: ${scenarios.join(", ")} (median of the rounds).`;
  const verdicts = [
    verdict(
      "read throughput over HTTP",
      over((line) => 1 - line.metricsRatio),
    ),
    verdict(
      "the server's CPU per read",
      over((line) => line.metricsCpuCost),
    ),
  ];
  return [
    "Over HTTP (autocannon; medians of the rounds, each against metrics off in the same round):",
    rows.join("\n"),
    "",
    "The server's CPU per read over HTTP, µs (from /proc; what limits throughput once the CPU is the bottleneck, and what other load on the machine barely moves):",
    cpuRows.join("\n"),
    "",
    ...verdicts,
    `Spans exported: ${exported.batches} OTLP/HTTP batches, ${(exported.bytes / 1e6).toFixed(1)} MB.`,
    "",
    "Metrics, CPU per read in process (bench/observability-cpu.ts; this process's CPU time, median of the batches):",
    describeCpu(cpu),
  ].join("\n");
}

// `bun bench/observability.ts [--dialect both] [--duration 3] [--rounds 8] [--connections 32]
// [--pinned]`: this part of `npm run bench` alone.
if (import.meta.main) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    options: {
      dialect: { type: "string", default: "both" },
      duration: { type: "string", default: "3" },
      rounds: { type: "string", default: "8" },
      connections: { type: "string", default: "32" },
      pinned: { type: "boolean", default: false },
    },
  });
  if (values.pinned) pinThisProcess(LOAD_CPU);
  const result = await benchObservability({
    dialects: values.dialect === "both" ? ["sqlite", "postgres"] : [values.dialect as Dialect],
    connections: Number(values.connections),
    duration: Number(values.duration),
    rounds: Number(values.rounds),
    usersPerTenant: 1_000,
    ...(values.pinned && { serverCpu: SERVER_CPU }),
    cpuBatches: 30,
    cpuBatchSize: 1_000,
  });
  console.log(
    `${new Date().toISOString()}, ${values.connections} connections, ${values.duration} s per run, ${values.rounds} rounds${values.pinned ? ", pinned" : ""}`,
  );
  console.log(describeObservability(result));
  console.log(JSON.stringify({ http: result.lines, cpu: result.cpu }));
}
