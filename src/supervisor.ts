/**
 * WORKERS=N: N server processes on one port. The entry has applied the migrations once before
 * this runs; each worker then listens with SO_REUSEPORT (Elysia's default on Bun), so that the
 * kernel spreads new connections between them. A worker that dies is started again; SIGTERM or
 * SIGINT stops them all, each finishing its requests in flight.
 */
import type { Subprocess } from "bun";
import { type Config, WORKER_ENV } from "./config";
import { describeError, exitWithError } from "./lib/fatal";
import type { Logger } from "./lib/logger";
import { serveMetrics } from "./observability/metrics-listener";
import { createMetricsCollector, type WorkerMetricsMessage } from "./observability/worker-metrics";

/** What a worker tells the supervisor over IPC. */
export type WorkerMessage = { type: "listening"; url: string } | WorkerMetricsMessage;

const RESTART_DELAY_MS = 1_000;

// Runs this same program again: `bun src/index.ts …`, or the compiled executable itself.
function ownCommand(): string[] {
  const args = process.argv.slice(Bun.isStandaloneExecutable ? 2 : 1);
  return [process.execPath, ...args];
}

export function superviseWorkers(config: Config, adminToken: string, logger: Logger): void {
  const workers = new Map<number, Subprocess>();
  const listening = new Set<number>();
  let announced = false;
  let stopping = false;
  // One scrape sees every worker: the supervisor sums their registries.
  const collector = createMetricsCollector(() =>
    [...listening].flatMap((worker) => workers.get(worker) ?? []),
  );
  serveSupervisorMetrics(config, collector.scrape, logger);

  function start(worker: number): void {
    const child = Bun.spawn(ownCommand(), {
      env: {
        ...process.env,
        [WORKER_ENV]: String(worker),
        ADMIN_TOKEN: adminToken,
        // Applied once, by the supervisor, before any worker started.
        MIGRATE_ON_START: "false",
      },
      stdio: ["ignore", "inherit", "inherit"],
      ipc(message: WorkerMessage, child) {
        if (collector.receive(message, (reply) => child.send(reply))) return;
        if (message.type !== "listening") return;
        listening.add(worker);
        if (announced || listening.size < config.workers) return;
        announced = true;
        logger.info(`listening on ${message.url}`, {
          url: message.url,
          workers: config.workers,
          database: config.database.dialect,
          docs: `${message.url}/swagger`,
        });
      },
    });
    workers.set(worker, child);
    void child.exited.then((code) => onExit(worker, code, child.signalCode));
  }

  function onExit(worker: number, code: number, signal: Subprocess["signalCode"]): void {
    workers.delete(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (workers.size === 0) finish();
      return;
    }
    const wasListening = listening.delete(worker);
    if (!wasListening) {
      logger.error("worker stopped before it listened: stopping all workers", {
        worker,
        exitCode: code,
        signal,
      });
      stopAll("worker start-up failed", 1);
      return;
    }
    logger.error("worker died: starting it again", { worker, exitCode: code, signal });
    setTimeout(() => {
      if (!stopping) start(worker);
    }, RESTART_DELAY_MS);
  }

  let exitCode = 0;
  function finish(): never {
    logger.info("stopped", { workers: config.workers });
    process.exit(exitCode);
  }

  function stopAll(reason: string, code = 0): void {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info("stopping all workers", { reason });
    if (workers.size === 0) finish();
    for (const child of workers.values()) child.kill("SIGTERM");
  }

  for (let worker = 1; worker <= config.workers; worker++) start(worker);
  process.once("SIGTERM", () => stopAll("SIGTERM"));
  process.once("SIGINT", () => stopAll("SIGINT"));
}

function serveSupervisorMetrics(
  config: Config,
  scrape: ReturnType<typeof createMetricsCollector>["scrape"],
  logger: Logger,
): void {
  const listener = config.metrics.listener;
  if (!config.metrics.enabled || listener === undefined) return;
  try {
    const server = serveMetrics(listener, scrape);
    logger.info(`metrics on ${server.url}metrics`, {
      metrics: `${server.url}metrics`,
      workers: config.workers,
    });
  } catch (error) {
    exitWithError(
      `cannot listen for metrics on ${listener.host}:${listener.port}: ${describeError(error)}`,
    );
  }
}
