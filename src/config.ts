export type Dialect = "postgres" | "sqlite";
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
type NodeEnv = "development" | "production" | "test";

export type DatabaseConfig =
  | { dialect: "postgres"; url: string }
  | { dialect: "sqlite"; path: string };

export interface Config {
  nodeEnv: NodeEnv;
  database: DatabaseConfig;
  port: number;
  host: string;
  migrateOnStart: boolean;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** PostgreSQL: write connections, pipelined read connections, and how long a query waits. */
  databasePoolSize: number;
  databaseReadConnections: number;
  databaseAcquireTimeoutMs: number;
  /**
   * PostgreSQL: whether queries run as named prepared statements (DATABASE_PREPARE). Off behind a
   * transaction pooler, which may run a statement on another server connection than its prepare.
   */
  databasePrepare: boolean;
  /** PostgreSQL: where the `db` commands and start-up migrations connect (DATABASE_MIGRATION_URL). */
  databaseMigrationUrl: string | undefined;
  /** How long a stop waits for in-flight requests before it cuts them off. */
  shutdownTimeoutMs: number;
  /** The admin bearer token; required in production, generated at start-up otherwise. */
  adminToken: string | undefined;
  /** Server processes sharing the port (WORKERS); more than one needs a fixed PORT. */
  workers: number;
  /** Set in a worker started by the supervisor (src/supervisor.ts): its number from 1. */
  worker: number | undefined;
  /** Origins whose pages may call the API (CORS_ORIGINS); none by default. */
  corsOrigins: readonly string[] | "*";
  /** How long the answer of a create sent with an Idempotency-Key is replayed to its retries. */
  idempotencyTtlSeconds: number;
  /** PostgreSQL standbys that serve reads (DATABASE_READ_URL); none by default. */
  readReplicas: ReadReplicaConfig | undefined;
  /** PATCH and DELETE without If-Match get 428 (REQUIRE_IF_MATCH). */
  requireIfMatch: boolean;
  metrics: MetricsConfig;
  /** OpenTelemetry traces: off unless an OTLP endpoint is set. */
  tracing: TracingConfig | undefined;
}

/** Prometheus metrics: collected unless METRICS_ENABLED=false, served only where asked. */
export interface MetricsConfig {
  enabled: boolean;
  /** A second listener for GET /metrics (METRICS_PORT), on `host`: loopback unless told. */
  listener: { port: number; host: string } | undefined;
  /** With METRICS_TOKEN, GET /metrics on the API's own port, for that bearer token only. */
  token: string | undefined;
}

/** The standard OTEL_ variables the app reads; the exporter reads its others (headers, timeout). */
export interface TracingConfig {
  /** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces. */
  tracesEndpoint: string;
  serviceName: string;
}

export interface ReadReplicaConfig {
  urls: readonly string[];
  /** A standby whose data is older than this is skipped (DATABASE_MAX_REPLICA_LAG_MS). */
  maxLagMs: number;
}

/** The variable through which the supervisor tells a worker its number; not a user setting. */
export const WORKER_ENV = "TENANT_API_WORKER";
const MAX_WORKERS = 64;

const MIN_ADMIN_TOKEN_LENGTH = 32;
const DAY_SECONDS = 24 * 60 * 60;

/** The port the server listens on when PORT is not set. */
export const DEFAULT_PORT = 3000;

/** A configuration value that cannot be used; its message is the one line shown at start-up. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

const DEFAULT_DATABASE_URL = "file:./data/app.db";
const DEFAULT_MAX_REPLICA_LAG_MS = 10_000;
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];
const NODE_ENVS: readonly NodeEnv[] = ["development", "production", "test"];
const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === "" ? undefined : trimmed;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((candidate) => candidate === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigError(`${name}="${value}" is invalid: expected one of ${allowed.join(", ")}`);
  }
  return match;
}

function integerInRange(name: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(
      `${name}="${value}" is invalid: expected an integer from ${min} to ${max}`,
    );
  }
  return parsed;
}

function booleanFlag(name: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (TRUE_WORDS.includes(lower)) return true;
  if (FALSE_WORDS.includes(lower)) return false;
  throw new ConfigError(`${name}="${value}" is invalid: expected true or false`);
}

/**
 * `postgres://` or `postgresql://` selects PostgreSQL; `file:PATH` or a path ending in
 * .db, .sqlite or .sqlite3 selects SQLite.
 */
export function parseDatabaseUrl(value: string, name = "DATABASE_URL"): DatabaseConfig {
  const accepted =
    "expected postgres://user@host:port/db, postgresql://…, file:PATH or a path ending in .db or .sqlite";
  if (isPostgresUrl(value)) return { dialect: "postgres", url: postgresUrl(value, name) };
  if (value.startsWith("file:")) {
    const path = value.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new ConfigError(`${name}="file:" has no path: ${accepted}`);
    return { dialect: "sqlite", path };
  }
  if (/\.(db|sqlite|sqlite3)$/i.test(value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return { dialect: "sqlite", path: value };
  }
  throw new ConfigError(`${name}="${redactUrl(value)}" is invalid: ${accepted}`);
}

const isPostgresUrl = (value: string) => /^postgres(ql)?:\/\//i.test(value);

const POSTGRES_ACCEPTED =
  "expected postgres://user@host:port/db, or several hosts (postgres://user@host1:port1,host2:port2/db?target_session_attrs=primary)";

/**
 * A PostgreSQL URL, with one host or several as libpq and `pg_autoctl show uri` write them, e.g.
 * postgres://app@db1:5432,db2:5432/app?target_session_attrs=read-write. postgres.js tries the
 * hosts in turn. Its `read-write` check trusts the `default_transaction_read_only` a server
 * reports at connection, which a PostgreSQL 14+ standby reports as off (porsager/postgres#815),
 * so a client could settle on a standby; `primary` asks whether the server is in recovery, and
 * takes its place.
 */
function postgresUrl(value: string, name: string): string {
  const [, scheme = "", authority = "", rest = ""] =
    value.match(/^([^:]+:\/\/)([^/?#]*)(.*)$/) ?? [];
  const at = authority.lastIndexOf("@");
  const userinfo = authority.slice(0, at + 1);
  const hosts = authority.slice(at + 1).split(",");
  for (const host of hosts) {
    let url: URL;
    try {
      url = new URL(`${scheme}${userinfo}${host}${rest}`);
    } catch {
      throw new ConfigError(`${name} is not a valid URL: ${POSTGRES_ACCEPTED}`);
    }
    if (url.hostname === "" && !url.searchParams.has("host")) {
      throw new ConfigError(`${name} has no host: ${POSTGRES_ACCEPTED}`);
    }
  }
  return value.replace(/([?&]target_session_attrs=)read-write(?=&|$)/, "$1primary");
}

/**
 * DATABASE_MIGRATION_URL: a direct PostgreSQL connection for migrations when DATABASE_URL leads
 * through a transaction pooler. Only with a PostgreSQL DATABASE_URL: SQLite has one file.
 */
function parseMigrationUrl(value: string, database: DatabaseConfig): string {
  if (!isPostgresUrl(value)) {
    throw new ConfigError(
      `DATABASE_MIGRATION_URL="${redactUrl(value)}" is invalid: ${POSTGRES_ACCEPTED}`,
    );
  }
  if (database.dialect !== "postgres") {
    throw new ConfigError(
      "DATABASE_MIGRATION_URL is set but DATABASE_URL is SQLite: set it only with a PostgreSQL DATABASE_URL",
    );
  }
  return postgresUrl(value, "DATABASE_MIGRATION_URL");
}

/** Hides the password of a connection URL so that it can be printed. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1****@");
}

/** CORS_ORIGINS: `*`, or origins such as https://app.example.com, separated by commas. */
function parseCorsOrigins(value: string): readonly string[] | "*" {
  if (value === "*") return "*";
  return value.split(",").map((item) => {
    const origin = item.trim();
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {}
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      throw new ConfigError(
        `CORS_ORIGINS has "${origin}", which is not an origin: expected * or scheme://host[:port] without a path, e.g. https://app.example.com, separated by commas`,
      );
    }
    return origin;
  });
}

function parseMetrics(env: Env, port: number): MetricsConfig {
  const enabled = present(env.METRICS_ENABLED);
  const metricsPort = present(env.METRICS_PORT);
  const metricsHost = present(env.METRICS_HOST);
  const token = present(env.METRICS_TOKEN);
  if (token !== undefined && token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `METRICS_TOKEN is too short: expected at least ${MIN_ADMIN_TOKEN_LENGTH} characters (try: openssl rand -hex 32)`,
    );
  }
  const listenerPort = metricsPort
    ? integerInRange("METRICS_PORT", metricsPort, 0, 65535)
    : undefined;
  if (listenerPort !== undefined && listenerPort !== 0 && listenerPort === port) {
    throw new ConfigError(
      `METRICS_PORT=${listenerPort} is the API's PORT: give the metrics listener a port of its own, or use METRICS_TOKEN to serve /metrics on the API's port`,
    );
  }
  return {
    enabled: enabled ? booleanFlag("METRICS_ENABLED", enabled) : true,
    listener:
      listenerPort === undefined
        ? undefined
        : { port: listenerPort, host: metricsHost ?? "127.0.0.1" },
    token,
  };
}

function parseTracing(env: Env): TracingConfig | undefined {
  const base = present(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const traces = present(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const serviceName = present(env.OTEL_SERVICE_NAME) ?? "tenant-api";
  if (traces === undefined && base === undefined) return undefined;
  const [name, url] =
    traces !== undefined
      ? ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces]
      : ["OTEL_EXPORTER_OTLP_ENDPOINT", `${(base as string).replace(/\/+$/, "")}/v1/traces`];
  if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
    throw new ConfigError(
      `${name}="${traces ?? base}" is invalid: expected an http:// or https:// URL of an OTLP/HTTP receiver, e.g. http://127.0.0.1:4318`,
    );
  }
  return { tracesEndpoint: url, serviceName };
}

/**
 * DATABASE_READ_URL: standbys of the PostgreSQL primary, separated by commas. A caller's reads
 * follow its own writes through positions kept in the process's memory, so one process must
 * see all of a caller's requests: several WORKERS would not see each other's writes.
 */
function parseReadReplicas(
  value: string | undefined,
  maxLag: string | undefined,
  database: DatabaseConfig,
  workers: number,
): ReadReplicaConfig | undefined {
  const maxLagMs = maxLag
    ? integerInRange("DATABASE_MAX_REPLICA_LAG_MS", maxLag, 1, 3_600_000)
    : DEFAULT_MAX_REPLICA_LAG_MS;
  if (value === undefined) return undefined;
  if (database.dialect !== "postgres") {
    throw new ConfigError(
      "DATABASE_READ_URL needs DATABASE_URL to be PostgreSQL: SQLite has no standbys to read from",
    );
  }
  if (workers > 1) {
    throw new ConfigError(
      `DATABASE_READ_URL needs WORKERS=1: each process keeps its callers' write positions, so WORKERS=${workers} processes could read older data than a caller wrote`,
    );
  }
  const urls = value.split(",").map((item) => {
    const url = item.trim();
    if (!/^postgres(ql)?:\/\/[^/?#]/i.test(url) || !URL.canParse(url)) {
      throw new ConfigError(
        `DATABASE_READ_URL has "${redactUrl(url)}", which is not a PostgreSQL URL: expected postgres://user@host:port/db, one per standby, separated by commas`,
      );
    }
    return url;
  });
  return { urls, maxLagMs };
}

export function describeDatabase(database: DatabaseConfig): string {
  return database.dialect === "postgres" ? redactUrl(database.url) : database.path;
}

export function parseConfig(env: Env): Config {
  const nodeEnvValue = present(env.NODE_ENV);
  const nodeEnv = nodeEnvValue ? oneOf("NODE_ENV", nodeEnvValue, NODE_ENVS) : "development";
  const port = present(env.PORT);
  const migrate = present(env.MIGRATE_ON_START);
  const logLevel = present(env.LOG_LEVEL);
  const bodyLimit = present(env.BODY_LIMIT_BYTES);
  const shutdownTimeout = present(env.SHUTDOWN_TIMEOUT);
  const poolSize = present(env.DATABASE_POOL_SIZE);
  const readConnections = present(env.DATABASE_READ_CONNECTIONS);
  const acquireTimeout = present(env.DATABASE_ACQUIRE_TIMEOUT_MS);
  const prepare = present(env.DATABASE_PREPARE);
  const migrationUrl = present(env.DATABASE_MIGRATION_URL);
  const adminToken = present(env.ADMIN_TOKEN);
  const workersValue = present(env.WORKERS);
  const workerValue = present(env[WORKER_ENV]);
  const corsOrigins = present(env.CORS_ORIGINS);
  const readUrl = present(env.DATABASE_READ_URL);
  const maxReplicaLag = present(env.DATABASE_MAX_REPLICA_LAG_MS);
  const requireIfMatch = present(env.REQUIRE_IF_MATCH);
  const idempotencyTtl = present(env.IDEMPOTENCY_TTL_SECONDS);
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `ADMIN_TOKEN is too short: expected at least ${MIN_ADMIN_TOKEN_LENGTH} characters (try: openssl rand -hex 32)`,
    );
  }
  if (adminToken === undefined && nodeEnv === "production") {
    throw new ConfigError(
      "ADMIN_TOKEN is required when NODE_ENV=production: at least 32 characters (try: openssl rand -hex 32)",
    );
  }
  const listenPort = port ? integerInRange("PORT", port, 0, 65535) : DEFAULT_PORT;
  const workers = workersValue ? integerInRange("WORKERS", workersValue, 1, MAX_WORKERS) : 1;
  if (workers > 1 && listenPort === 0) {
    throw new ConfigError(
      `WORKERS=${workers} needs a fixed PORT: every worker listens on the same one (PORT=0 picks a different free port per process)`,
    );
  }
  const database = parseDatabaseUrl(present(env.DATABASE_URL) ?? DEFAULT_DATABASE_URL);
  return {
    nodeEnv,
    database,
    port: listenPort,
    host: present(env.HOST) ?? "127.0.0.1",
    migrateOnStart: migrate ? booleanFlag("MIGRATE_ON_START", migrate) : nodeEnv !== "production",
    logLevel: logLevel ? oneOf("LOG_LEVEL", logLevel, LOG_LEVELS) : "info",
    bodyLimitBytes: bodyLimit
      ? integerInRange("BODY_LIMIT_BYTES", bodyLimit, 1024, 64 * 1024 * 1024)
      : 1024 * 1024,
    databasePoolSize: poolSize ? integerInRange("DATABASE_POOL_SIZE", poolSize, 1, 1000) : 10,
    databaseReadConnections: readConnections
      ? integerInRange("DATABASE_READ_CONNECTIONS", readConnections, 1, 1000)
      : 2,
    databaseAcquireTimeoutMs: acquireTimeout
      ? integerInRange("DATABASE_ACQUIRE_TIMEOUT_MS", acquireTimeout, 1, 600_000)
      : 2_000,
    databasePrepare: prepare ? booleanFlag("DATABASE_PREPARE", prepare) : true,
    databaseMigrationUrl: migrationUrl ? parseMigrationUrl(migrationUrl, database) : undefined,
    shutdownTimeoutMs:
      (shutdownTimeout ? integerInRange("SHUTDOWN_TIMEOUT", shutdownTimeout, 0, 3600) : 10) * 1000,
    adminToken,
    workers,
    worker: workerValue ? integerInRange(WORKER_ENV, workerValue, 1, MAX_WORKERS) : undefined,
    corsOrigins: corsOrigins ? parseCorsOrigins(corsOrigins) : [],
    readReplicas: parseReadReplicas(readUrl, maxReplicaLag, database, workers),
    requireIfMatch: requireIfMatch ? booleanFlag("REQUIRE_IF_MATCH", requireIfMatch) : false,
    idempotencyTtlSeconds: idempotencyTtl
      ? integerInRange("IDEMPOTENCY_TTL_SECONDS", idempotencyTtl, 1, 30 * DAY_SECONDS)
      : DAY_SECONDS,
    metrics: parseMetrics(env, listenPort),
    tracing: parseTracing(env),
  };
}
