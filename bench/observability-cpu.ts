/**
 * The CPU that metrics and traces add to a read, measured in process (app.handle, no network,
 * no load generator), which a busy shared machine distorts far less than HTTP throughput:
 * batches of requests alternate between the app without observability, with metrics, and with
 * metrics and traces (exported to an OTLP/HTTP receiver in this process); the fastest batch of
 * each estimates its cost on a quiet machine, since other load only ever adds time. Batches are
 * short (200 requests, a few milliseconds), so that some of them fall between other processes'
 * time slices.
 */
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { createApp } from "../src/app";
import { type Config, type Dialect, parseConfig, parseDatabaseUrl } from "../src/config";
import { openDatabase } from "../src/db/client";
import { migrationsFolder, readMigrations } from "../src/db/migrations/files";
import { createLogger } from "../src/lib/logger";
import { bunPasswords } from "../src/lib/password-bun";
import { createMetrics } from "../src/observability/metrics";
import { watchQueries } from "../src/observability/queries";
import { startTracing } from "../src/observability/tracing";
import { ADMIN_TOKEN, type Scenario, scenarioRequest, seededDatabase, toRequest } from "./workload";

type Variant = "plain" | "metrics" | "metrics + traces";
const VARIANTS: Variant[] = ["plain", "metrics", "metrics + traces"];
const READS: Scenario[] = ["GET user", "GET users page"];

export interface CpuLine {
  dialect: Dialect;
  scenario: Scenario;
  /** Microseconds per request in the fastest batch, and in the median one. */
  fastestUs: Record<Variant, number>;
  medianUs: Record<Variant, number>;
}

export async function measureObservabilityCpu(options: {
  dialects: Dialect[];
  batches: number;
  batchSize: number;
  receiverUrl: string;
}): Promise<CpuLine[]> {
  const tracing = startTracing(
    { tracesEndpoint: `${options.receiverUrl}/v1/traces`, serviceName: "bench" },
    "bench",
    new AsyncLocalStorageContextManager().enable(),
  );
  const lines: CpuLine[] = [];
  for (const dialect of options.dialects) {
    const {
      url,
      drop,
      db: plainDb,
      seeded,
    } = await seededDatabase(dialect, "bench_obs_cpu", 1_000);
    const config = parseConfig({
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      ADMIN_TOKEN,
      DATABASE_URL: url,
    }) as Config & {
      adminToken: string;
    };
    const migrations = readMigrations(migrationsFolder(dialect));
    const system = dialect === "postgres" ? "postgresql" : "sqlite";
    const metrics = createMetrics();
    const tracedMetrics = createMetrics();
    const dbs = {
      plain: plainDb,
      metrics: openDatabase(parseDatabaseUrl(url), {
        watchQuery: watchQueries(system, { metrics }),
      }),
      "metrics + traces": openDatabase(parseDatabaseUrl(url), {
        watchQuery: watchQueries(system, { metrics: tracedMetrics, tracer: tracing.tracer }),
      }),
    };
    const observability = {
      plain: {},
      metrics: { metrics },
      "metrics + traces": { metrics: tracedMetrics, tracer: tracing.tracer },
    };
    const apps = Object.fromEntries(
      VARIANTS.map((variant) => [
        variant,
        createApp({
          db: dbs[variant],
          config,
          logger: createLogger("warn"),
          migrations,
          passwords: bunPasswords,
          observability: observability[variant],
        }),
      ]),
    ) as Record<Variant, ReturnType<typeof createApp>>;
    try {
      for (const scenario of READS) {
        const batch = async (variant: Variant) => {
          const started = performance.now();
          // 16 requests in flight, as connections of a load generator would keep.
          let next = 0;
          await Promise.all(
            Array.from({ length: 16 }, async () => {
              while (next++ < options.batchSize) {
                const response = await apps[variant].handle(
                  toRequest(scenarioRequest(scenario, seeded, "cpu")),
                );
                if (response.status !== 200) throw new Error(`${scenario}: ${response.status}`);
                await response.arrayBuffer();
              }
            }),
          );
          // afterResponse hooks (metrics, span end) run just after: part of the request's cost.
          await new Promise((resolve) => setImmediate(resolve));
          return ((performance.now() - started) * 1000) / options.batchSize;
        };
        for (const variant of VARIANTS) await batch(variant);
        const times: Record<Variant, number[]> = { plain: [], metrics: [], "metrics + traces": [] };
        for (let round = 0; round < options.batches; round++) {
          for (let k = 0; k < VARIANTS.length; k++) {
            const variant = VARIANTS[(k + round) % VARIANTS.length] as Variant;
            times[variant].push(await batch(variant));
          }
        }
        const pick = (choose: (sorted: number[]) => number) =>
          Object.fromEntries(
            VARIANTS.map((variant) => [
              variant,
              Math.round(choose([...times[variant]].sort((a, b) => a - b)) * 10) / 10,
            ]),
          ) as Record<Variant, number>;
        lines.push({
          dialect,
          scenario,
          fastestUs: pick((sorted) => sorted[0] ?? 0),
          medianUs: pick((sorted) => sorted[Math.floor(sorted.length / 2)] ?? 0),
        });
      }
    } finally {
      await tracing.flush();
      await dbs.metrics.close();
      await dbs["metrics + traces"].close();
      await plainDb.close();
      await drop();
    }
  }
  await tracing.shutdown();
  return lines;
}

export function describeCpu(lines: CpuLine[]): string {
  const cost = (line: CpuLine, variant: Variant) =>
    `${(((line.fastestUs[variant] - line.fastestUs.plain) / line.fastestUs.plain) * 100).toFixed(1)}%`;
  return [
    "| dialect | read | plain µs/request | metrics µs/request | metrics cost | metrics + traces µs/request | metrics + traces cost |",
    "|---|---|---|---|---|---|---|",
    ...lines.map(
      (line) =>
        `| ${line.dialect} | ${line.scenario} | ${line.fastestUs.plain} (median ${line.medianUs.plain}) | ${line.fastestUs.metrics} (median ${line.medianUs.metrics}) | ${cost(line, "metrics")} | ${line.fastestUs["metrics + traces"]} (median ${line.medianUs["metrics + traces"]}) | ${cost(line, "metrics + traces")} |`,
    ),
  ].join("\n");
}
