/**
 * The CPU that metrics add to a read, measured in process (app.handle, no network, no load
 * generator): batches of requests alternate between the app without metrics and with them (the
 * request and query metrics recorded, the database observed). Each batch is measured in this
 * process's CPU time (user + system), which other processes on a busy shared machine inflate far
 * less than wall time; the median batch is reported. A PostgreSQL server's own CPU is not in it,
 * and is the same for both. Traces are left to the HTTP comparison, where each variant is a
 * process of its own: here their exports and garbage would land on the batches after them.
 */
import { createApp } from "../src/app";
import { type Config, type Dialect, parseConfig, parseDatabaseUrl } from "../src/config";
import { openDatabase } from "../src/db/client";
import { migrationsFolder, readMigrations } from "../src/db/migrations/files";
import { createLogger } from "../src/lib/logger";
import { bunPasswords } from "../src/lib/password-bun";
import { createMetrics } from "../src/observability/metrics";
import { watchQueries } from "../src/observability/queries";
import { ADMIN_TOKEN, type Scenario, scenarioRequest, seededDatabase, toRequest } from "./workload";

type Variant = "plain" | "metrics";
const VARIANTS: Variant[] = ["plain", "metrics"];
const READS: Scenario[] = ["GET user", "GET users page"];

export interface CpuLine {
  dialect: Dialect;
  scenario: Scenario;
  /** CPU microseconds per request, median batch. */
  medianUs: Record<Variant, number>;
}

export async function measureMetricsCpu(options: {
  dialects: Dialect[];
  batches: number;
  batchSize: number;
}): Promise<CpuLine[]> {
  const lines: CpuLine[] = [];
  for (const dialect of options.dialects) {
    const {
      url,
      drop,
      db: seededDb,
      seeded,
    } = await seededDatabase(dialect, "bench_obs_cpu", 1_000);
    await seededDb.close();
    const config = parseConfig({
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      ADMIN_TOKEN,
      DATABASE_URL: url,
    }) as Config & { adminToken: string };
    const metrics = createMetrics();
    const system = dialect === "postgres" ? "postgresql" : "sqlite";
    const dbs = {
      plain: openDatabase(parseDatabaseUrl(url)),
      metrics: openDatabase(parseDatabaseUrl(url), {
        watchQuery: watchQueries(system, { metrics }),
      }),
    };
    const apps = Object.fromEntries(
      VARIANTS.map((variant) => [
        variant,
        createApp({
          db: dbs[variant],
          config,
          logger: createLogger("warn"),
          migrations: readMigrations(migrationsFolder(dialect)),
          passwords: bunPasswords,
          observability: variant === "metrics" ? { metrics } : {},
        }),
      ]),
    ) as Record<Variant, ReturnType<typeof createApp>>;
    try {
      for (const scenario of READS) {
        const batch = async (variant: Variant) => {
          const started = process.cpuUsage();
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
          // afterResponse hooks (where metrics are recorded) run just after: part of the cost.
          await new Promise((resolve) => setImmediate(resolve));
          const spent = process.cpuUsage(started);
          return (spent.user + spent.system) / options.batchSize;
        };
        for (const variant of VARIANTS) await batch(variant);
        const times: Record<Variant, number[]> = { plain: [], metrics: [] };
        for (let round = 0; round < options.batches; round++) {
          // Alternate which goes first, so that each follows the other as often.
          for (let k = 0; k < VARIANTS.length; k++) {
            const variant = VARIANTS[(k + round) % VARIANTS.length] as Variant;
            times[variant].push(await batch(variant));
          }
        }
        const median = (values: number[]) =>
          Math.round(([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0) * 10) /
          10;
        lines.push({
          dialect,
          scenario,
          medianUs: { plain: median(times.plain), metrics: median(times.metrics) },
        });
      }
    } finally {
      await dbs.plain.close();
      await dbs.metrics.close();
      await drop();
    }
  }
  return lines;
}

export function describeCpu(lines: CpuLine[]): string {
  const cost = ({ medianUs }: CpuLine) => {
    const share = ((medianUs.metrics - medianUs.plain) / medianUs.plain) * 100;
    return `${share >= 0 ? "+" : ""}${share.toFixed(1)}%`;
  };
  return [
    "| dialect | read | no metrics, CPU µs/request | metrics, CPU µs/request | metrics cost |",
    "|---|---|---|---|---|",
    ...lines.map(
      (line) =>
        `| ${line.dialect} | ${line.scenario} | ${line.medianUs.plain} | ${line.medianUs.metrics} | ${cost(line)} |`,
    ),
  ].join("\n");
}
