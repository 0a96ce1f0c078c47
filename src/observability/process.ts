/**
 * The Bun entry's metrics and traces (src/index.ts): what each process of the server collects,
 * and where its metrics are scraped. The Workers entry has no scrape (see docs/operations.md).
 */
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import packageJson from "../../package.json" with { type: "json" };
import type { Config } from "../config";
import type { AppDatabase } from "../db/client";
import { migrationState } from "../db/migrations/bookkeeping";
import type { MigrationFile } from "../db/migrations/files";
import { createPoolUsage } from "../db/pool-gate";
import type { Logger } from "../lib/logger";
import { createMetrics } from "./metrics";
import type { Scraper } from "./metrics-endpoint";
import { serveMetrics } from "./metrics-listener";
import { watchQueries } from "./queries";
import { startTracing, traceFields } from "./tracing";
import { answerSupervisor } from "./worker-metrics";

/** What a server process collects, set up before its database is opened. */
export function observeProcess(config: Config) {
  const metrics = config.metrics.enabled ? createMetrics() : undefined;
  const tracing =
    config.tracing === undefined
      ? undefined
      : startTracing(
          config.tracing,
          packageJson.version,
          new AsyncLocalStorageContextManager().enable(),
        );
  const poolUsage = createPoolUsage();
  if (metrics !== undefined && config.database.dialect === "postgres") {
    metrics.watchPools(poolUsage, {
      write: config.databasePoolSize,
      read: config.databaseReadConnections,
    });
  }
  const dialect = config.database.dialect === "postgres" ? "postgresql" : "sqlite";
  return {
    metrics,
    tracing,
    /** For the logger: every line written during a traced request carries its trace id. */
    correlate: tracing === undefined ? undefined : traceFields,
    databaseOptions: {
      poolUsage,
      watchQuery: watchQueries(dialect, { metrics, tracer: tracing?.tracer }),
    },
  };
}

type ObservedProcess = ReturnType<typeof observeProcess>;

/**
 * Counts migrations at each scrape, and serves the metrics: a worker of WORKERS=N hands its own
 * to the supervisor, which serves the sum (src/supervisor.ts); a lone server opens METRICS_PORT.
 * Returns the scraper for the METRICS_TOKEN route and what closes the listener.
 */
export function serveProcessMetrics(
  config: Config,
  observed: ObservedProcess,
  db: AppDatabase,
  migrations: MigrationFile[],
  logger: Logger,
): { scrape?: Scraper; close(): void } {
  const { metrics } = observed;
  if (metrics === undefined) return { close: () => {} };
  metrics.watchMigrations(async () => {
    const { pending } = await migrationState(db, migrations);
    return { applied: migrations.length - pending.length, pending: pending.length };
  });
  const { registry } = metrics;
  if (config.worker !== undefined) return { scrape: answerSupervisor(registry), close: () => {} };
  const scrape: Scraper = async () => ({
    contentType: registry.contentType,
    body: await registry.metrics(),
  });
  const listener = config.metrics.listener;
  if (listener === undefined) return { scrape, close: () => {} };
  const server = serveMetrics(listener, scrape);
  logger.info(`metrics on ${server.url}metrics`, { metrics: `${server.url}metrics` });
  return { scrape, close: () => void server.stop(true) };
}
