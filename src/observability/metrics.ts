/**
 * The app's Prometheus metrics (prom-client), in one registry per process. Every label takes
 * values from a closed set: route templates, never paths; an HTTP method outside the standard
 * ones counts as "other". Under WORKERS=N the supervisor sums the workers' registries
 * (src/observability/worker-metrics.ts), so each metric says how its values combine.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { PoolUsage } from "../db/pool-gate";
import type { CredentialOutcome } from "../modules/credentials/service";
import { collectRuntimeMetrics } from "./runtime-metrics";
import { type TimedSeries, TimedSeriesFamily } from "./series";

/** Seconds: from a cached read (sub-millisecond) to a request cut off by its timeouts. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/** The label of a request that matched no route: its path would make a series per URL. */
const UNMATCHED_ROUTE = "(unmatched)";

const OPERATIONS = ["select", "insert", "update", "delete", "other"] as const;
export type QueryOperation = (typeof OPERATIONS)[number];
export type PoolName = "write" | "read";

export interface MigrationCounts {
  applied: number;
  pending: number;
}

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  collectRuntimeMetrics(registry);

  const requests = new TimedSeriesFamily(
    registry,
    HTTP_BUCKETS,
    {
      name: "tenant_api_http_request_duration_seconds",
      help: "Time from a request's arrival to its response being ready, by method, route template and status.",
    },
    {
      name: "tenant_api_http_requests_total",
      help: "HTTP requests answered, by method, route template and status.",
    },
  );
  const requestSeries = new Map<string | undefined, Map<number, TimedSeries>>();
  let inFlight = 0;
  new Gauge({
    name: "tenant_api_http_requests_in_flight",
    help: "HTTP requests being answered now.",
    registers,
    collect() {
      this.set(inFlight);
    },
  });

  const queries = new TimedSeriesFamily(
    registry,
    QUERY_BUCKETS,
    {
      name: "tenant_api_db_query_duration_seconds",
      help: "Database query time as the app sees it, including any wait for a PostgreSQL connection, by operation and outcome.",
    },
    {
      name: "tenant_api_db_queries_total",
      help: "Database queries run, by operation and outcome (ok or error).",
    },
  );
  // Ten series at most, made up front: a query only picks its own.
  const querySeries = Object.fromEntries(
    OPERATIONS.map((operation) => [
      operation,
      {
        ok: queries.series(`${operation} ok`, () => ({ operation, outcome: "ok" })),
        error: queries.series(`${operation} error`, () => ({ operation, outcome: "error" })),
      },
    ]),
  ) as Record<QueryOperation, { ok: TimedSeries; error: TimedSeries }>;
  const acquireTimeouts = new Counter({
    name: "tenant_api_db_pool_acquire_timeouts_total",
    help: "PostgreSQL queries that got no connection within DATABASE_ACQUIRE_TIMEOUT_MS (answered 503).",
    labelNames: ["pool"] as const,
    registers,
  });

  let pools: { usage: PoolUsage; sizes: Record<PoolName, number> } | undefined;
  // One gauge per question about the pools, each read from the pool gate's counters at a scrape.
  const poolGauge = (
    name: string,
    help: string,
    read: (usage: PoolUsage, sizes: Record<PoolName, number>) => Record<PoolName, number>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"] as const,
      registers,
      collect() {
        this.reset();
        if (pools === undefined) return;
        const values = read(pools.usage, pools.sizes);
        this.set({ pool: "write" }, values.write);
        this.set({ pool: "read" }, values.read);
      },
    });
  poolGauge(
    "tenant_api_db_pool_connections_in_use",
    "PostgreSQL connections busy now: write connections taken, read connections with a query in flight.",
    (usage, sizes) => ({
      write: usage.writesInUse,
      read: Math.min(usage.readsInFlight, sizes.read),
    }),
  );
  poolGauge(
    "tenant_api_db_pool_waiting",
    "PostgreSQL queries waiting: for a write connection, or queued behind other reads on a busy read connection.",
    (usage, sizes) => ({
      write: usage.writesWaiting,
      read: Math.max(0, usage.readsInFlight - sizes.read),
    }),
  );
  poolGauge(
    "tenant_api_db_pool_connections_max",
    "PostgreSQL connections each pool may open (DATABASE_POOL_SIZE, DATABASE_READ_CONNECTIONS).",
    (_usage, sizes) => sizes,
  );

  let migrations: (() => Promise<MigrationCounts>) | undefined;
  let lastMigrations: MigrationCounts | undefined;
  // One look at the database per scrape, shared by both gauges; every worker sees the same
  // database, so the supervisor keeps one worker's answer rather than a sum.
  const readMigrations = async () => {
    if (migrations === undefined) return undefined;
    try {
      lastMigrations = await migrations();
    } catch {
      // The database did not answer: the last known counts stand (and /ready says 503).
    }
    return lastMigrations;
  };
  let pendingRead: Promise<MigrationCounts | undefined> | undefined;
  const migrationsOnce = () => {
    pendingRead ??= readMigrations().finally(() => {
      pendingRead = undefined;
    });
    return pendingRead;
  };
  new Gauge({
    name: "tenant_api_db_migrations_applied",
    help: "Migrations of this release recorded as applied in the database.",
    aggregator: "max",
    registers,
    async collect() {
      const counts = await migrationsOnce();
      if (counts !== undefined) this.set(counts.applied);
    },
  });
  new Gauge({
    name: "tenant_api_db_migrations_pending",
    help: "Migrations of this release not applied to the database yet (/ready answers 503 while any are).",
    aggregator: "max",
    registers,
    async collect() {
      const counts = await migrationsOnce();
      if (counts !== undefined) this.set(counts.pending);
    },
  });

  const credentialChecks = new Counter({
    name: "tenant_api_credential_checks_total",
    help: "Password checks (POST /tenants/:tenantId/credentials/verify) by outcome: ok, invalid (401) or limited (429).",
    labelNames: ["outcome"] as const,
    registers,
  });
  for (const outcome of ["ok", "invalid", "limited"] as const) credentialChecks.inc({ outcome }, 0);

  return {
    registry,
    /** A request arrived, at `performance.now()`. */
    requestStarted(): void {
      inFlight++;
    },
    /** Its response was sent; `route` is undefined when no route matched. */
    requestFinished(
      method: string,
      route: string | undefined,
      status: number,
      startedAt: number,
    ): void {
      inFlight--;
      // Found by route, then by a number for status and method: no string is built per request.
      let ofRoute = requestSeries.get(route);
      if (ofRoute === undefined) {
        ofRoute = new Map();
        requestSeries.set(route, ofRoute);
      }
      const methodIndex = METHODS.indexOf(method);
      const code = status * 8 + (methodIndex + 1);
      let series = ofRoute.get(code);
      if (series === undefined) {
        series = requests.series(`${code} ${route}`, () => ({
          method: methodIndex === -1 ? "other" : method,
          route: route || UNMATCHED_ROUTE,
          status: String(status),
        }));
        ofRoute.set(code, series);
      }
      requests.observe(series, (performance.now() - startedAt) / 1000);
    },
    queryFinished(operation: QueryOperation, seconds: number, failed: boolean): void {
      const series = querySeries[operation];
      queries.observe(failed ? series.error : series.ok, seconds);
    },
    acquireTimedOut(pool: PoolName): void {
      acquireTimeouts.inc({ pool });
    },
    /** The PostgreSQL pools' counters (src/db/pool-gate.ts), read at each scrape. */
    watchPools(usage: PoolUsage, sizes: Record<PoolName, number>): void {
      pools = { usage, sizes };
    },
    /** How to count the applied and pending migrations, asked at each scrape. */
    watchMigrations(count: () => Promise<MigrationCounts>): void {
      migrations = count;
    },
    credentialChecked(outcome: CredentialOutcome): void {
      credentialChecks.inc({ outcome });
    },
  };
}

export type AppMetrics = ReturnType<typeof createMetrics>;
