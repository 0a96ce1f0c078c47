/**
 * The Bun entry: configuration, database, migrations, HTTP server and graceful stop. With
 * WORKERS=N it becomes the supervisor of N such servers on one port (src/supervisor.ts).
 */
import { createApp } from "./app";
import { PREPARE_HINT } from "./db/errors";
import { startupMigrations } from "./db/migrations/embedded";
import { migrateUp } from "./db/migrations/engine";
import { probePreparedStatements } from "./db/pooler";
import { handlersInFlight } from "./http/handlers-in-flight";
import { lastResort } from "./http/last-resort";
import {
  describeError,
  exitWithError,
  loadConfigOrExit,
  openDatabaseOrExit,
  openMigrationDatabaseOrExit,
} from "./lib/fatal";
import { createLogger } from "./lib/logger";
import { bunPasswords } from "./lib/password-bun";
import { generateAdminToken } from "./lib/tokens";
import { observeProcess, serveProcessMetrics } from "./observability/process";
import type { WorkerMessage } from "./supervisor";

const config = loadConfigOrExit();
const supervising = config.workers > 1 && config.worker === undefined;
// The supervisor serves no request: its workers collect metrics and traces.
const observed = observeProcess(
  supervising
    ? { ...config, metrics: { ...config.metrics, enabled: false }, tracing: undefined }
    : config,
);
const logger = createLogger(config.logLevel, {
  context: config.worker === undefined ? {} : { worker: config.worker },
  correlate: observed.correlate,
});
const db = await openDatabaseOrExit(config, {
  poolSize: config.databasePoolSize,
  readConnections: config.databaseReadConnections,
  acquireTimeoutMs: config.databaseAcquireTimeoutMs,
  prepare: config.databasePrepare,
  ...(config.readReplicas && { readReplicas: config.readReplicas }),
  ...observed.databaseOptions,
});
const migrations = startupMigrations(db.dialect);
if (config.database.dialect === "postgres" && config.databasePrepare) {
  await refuseTransactionPoolerWithPrepare(config.database.url);
}

if (config.migrateOnStart) {
  // PostgreSQL: connections of their own (DATABASE_MIGRATION_URL when set), whatever the pool size.
  const migrator = db.dialect === "postgres" ? await openMigrationDatabaseOrExit(config) : db;
  try {
    const applied = await migrateUp(migrator, migrations);
    if (applied.length > 0) logger.info("migrations applied", { migrations: applied });
  } catch (error) {
    exitWithError(
      `migration failed, nothing after the last successful one was applied: ${describeError(error)}`,
    );
  }
  if (migrator !== db) await migrator.close();
}

let adminToken = config.adminToken;
if (adminToken === undefined) {
  adminToken = generateAdminToken();
  logger.warn(
    "ADMIN_TOKEN is not set: generated one for this run. Set ADMIN_TOKEN (32+ characters) in .env to keep a fixed one",
    { adminToken },
  );
}

if (supervising) {
  await db.close();
  const { superviseWorkers } = await import("./supervisor");
  superviseWorkers(config, adminToken, logger);
} else {
  serve(adminToken);
}

/**
 * Named prepared statements fail behind a transaction pooler that does not keep them: found here,
 * at start-up, rather than as failed requests later.
 */
async function refuseTransactionPoolerWithPrepare(url: string): Promise<void> {
  let support: Awaited<ReturnType<typeof probePreparedStatements>>;
  try {
    support = await probePreparedStatements(url);
  } catch (error) {
    exitWithError(
      `cannot check how DATABASE_URL treats prepared statements: ${describeError(error)}`,
    );
  }
  if (support === "pooled-without-prepare") {
    exitWithError(
      `${PREPARE_HINT}. With it on, queries would fail with: prepared statement "…" does not exist`,
    );
  }
  if (support === "pooled")
    logger.info("DATABASE_URL leads through a pooler that keeps prepared statements");
}

function serve(adminToken: string): void {
  const stopping = new AbortController();
  let metricsEndpoint: ReturnType<typeof serveProcessMetrics>;
  try {
    metricsEndpoint = serveProcessMetrics(config, observed, db, migrations, logger);
  } catch (error) {
    const { host, port } = config.metrics.listener ?? {};
    exitWithError(`cannot listen for metrics on ${host}:${port}: ${describeError(error)}`);
  }
  const handlers = handlersInFlight();
  const app = createApp({
    db,
    config: { ...config, adminToken },
    logger,
    migrations,
    passwords: bunPasswords,
    shutdown: stopping.signal,
    observability: {
      metrics: observed.metrics,
      tracer: observed.tracing?.tracer,
      scrape: metricsEndpoint.scrape,
    },
  })
    .use(handlers.plugin)
    .listen({ hostname: config.host, port: config.port, error: lastResort(logger) });
  const url = `http://${app.server?.hostname}:${app.server?.port}`;
  if (config.worker === undefined) {
    logger.info(`listening on ${url}`, {
      url,
      database: db.dialect,
      location: db.description,
      ...("replicas" in db && db.replicas && { standbys: db.replicas.stats().standbys.length }),
      docs: `${url}/swagger`,
    });
  } else {
    logger.info("worker listening", { url, pid: process.pid });
    process.send?.({ type: "listening", url } satisfies WorkerMessage);
    // A supervisor killed without its SIGTERM leaves its workers to init: they stop too.
    const supervisor = process.ppid;
    setInterval(() => {
      if (process.ppid !== supervisor) void shutdown("supervisor gone");
    }, 1_000).unref();
  }

  async function shutdown(signal: string) {
    if (stopping.signal.aborted) return;
    stopping.abort();
    logger.info("stopping: refusing new connections, finishing requests in flight", {
      signal,
      timeoutMs: config.shutdownTimeoutMs,
    });
    let timer: Timer | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), config.shutdownTimeoutMs);
    });
    // Without `true`, stop() lets in-flight requests finish; past the timeout they are cut off.
    if ((await Promise.race([app.stop(), deadline])) === "timeout") {
      logger.warn("shutdown timeout reached: closing the remaining connections");
      await app.stop(true);
    }
    // stop() does not wait for a request whose client hung up, and its handler may still have a
    // write to make: the database stays open until every handler has ended, or the timeout.
    if ((await Promise.race([handlers.idle(), deadline])) === "timeout") {
      logger.warn("shutdown timeout reached: handlers still running are cut off");
    }
    clearTimeout(timer);
    metricsEndpoint.close();
    await db.close();
    await observed.tracing?.shutdown();
    logger.info("stopped");
    process.exit(0);
  }
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}
