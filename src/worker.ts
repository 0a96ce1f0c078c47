/**
 * The Cloudflare Workers entry (bundled by `npm run build:worker`): bindings -> configuration,
 * database and app, built once per isolate at module scope, where workerd lets Elysia compile its
 * handlers. The Bun entry is src/index.ts.
 */

import { env } from "cloudflare:workers";
import bundledMigrations from "tenant-api:migrations";
import type { D1Database, ExecutionContext } from "@cloudflare/workers-types";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CloudflareAdapter } from "elysia/adapter/cloudflare-worker";
import packageJson from "../package.json" with { type: "json" };
import { createApp } from "./app";
import { ConfigError, parseConfig, parseDatabaseUrl } from "./config";
import { type EdgeDatabase, openD1, openPostgresPerRequest } from "./db/client-edge";
import type { MigrationFile } from "./db/migrations/files";
import type { QueryWatch } from "./db/observer";
import { lastResort } from "./http/last-resort";
import { createLogger } from "./lib/logger";
import { wasmPasswords } from "./lib/password-wasm";
import { watchQueries } from "./observability/queries";
import { startTracing, traceFields } from "./observability/tracing";

// The variables a Worker reads; everything about ports, pools, files and shutdown is Bun's, and
// so are metrics: a Worker has no process to scrape.
const VARIABLES = [
  "NODE_ENV",
  "LOG_LEVEL",
  "ADMIN_TOKEN",
  "BODY_LIMIT_BYTES",
  "DATABASE_PREPARE",
  "IDEMPOTENCY_TTL_SECONDS",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_SERVICE_NAME",
] as const;

const text = (value: unknown) => (typeof value === "string" ? value : undefined);
const isD1 = (value: unknown): value is D1Database =>
  typeof (value as { prepare?: unknown } | null | undefined)?.prepare === "function";

function openEdgeDatabase(
  bindings: Record<string, unknown>,
  prepare: boolean,
  watchQuery?: QueryWatch,
): EdgeDatabase {
  const url = text(bindings.DATABASE_URL)?.trim() ?? "";
  if (url !== "" && bindings.DB !== undefined) {
    throw new ConfigError("set DATABASE_URL or bind a D1 database as DB, not both");
  }
  if (url !== "") {
    const database = parseDatabaseUrl(url);
    if (database.dialect !== "postgres") {
      throw new ConfigError(
        "DATABASE_URL must be a postgres:// URL on Workers; for SQLite bind a D1 database as DB",
      );
    }
    return openPostgresPerRequest(database.url, prepare, watchQuery);
  }
  if (isD1(bindings.DB)) return openD1(bindings.DB, watchQuery);
  throw new ConfigError("no database: bind a D1 database as DB, or set DATABASE_URL (PostgreSQL)");
}

const variables = Object.fromEntries(VARIABLES.map((name) => [name, text(env[name])]));
// No start-up command sets NODE_ENV here: production unless the Worker's variables say otherwise.
const config = parseConfig({ ...variables, NODE_ENV: variables.NODE_ENV ?? "production" });
if (config.adminToken === undefined) {
  throw new ConfigError("ADMIN_TOKEN is required on Workers: at least 32 characters");
}
const tracing =
  config.tracing === undefined
    ? undefined
    : startTracing(
        config.tracing,
        packageJson.version,
        new AsyncLocalStorageContextManager().enable(),
      );
const logger = createLogger(config.logLevel, {
  sink: (line, severity) =>
    severity === "warn" || severity === "error" ? console.error(line) : console.log(line),
  pretty: false,
  correlate: tracing === undefined ? undefined : traceFields,
});
const database = openEdgeDatabase(env, config.databasePrepare, tracingQueries());
const migrations: MigrationFile[] = bundledMigrations[database.db.dialect];

const app = createApp({
  db: database.db,
  config: { ...config, adminToken: config.adminToken },
  logger,
  migrations,
  passwords: wasmPasswords,
  adapter: CloudflareAdapter,
  observability: { tracer: tracing?.tracer },
}).compile();
const answerFailure = lastResort(logger);

/** Query spans under each request's span; which database is known once its binding is. */
function tracingQueries(): QueryWatch | undefined {
  if (tracing === undefined) return undefined;
  const dialect = text(env.DATABASE_URL)?.trim() ? "postgresql" : "sqlite";
  return watchQueries(dialect, { tracer: tracing.tracer });
}

export default {
  async fetch(request: Request, _env: unknown, context: ExecutionContext): Promise<Response> {
    const response = await database
      .serve(context, async () => app.fetch(request))
      .catch(answerFailure);
    // Elysia runs afterResponse hooks (the request's log line) in a setImmediate once the
    // response is made, and Workers drop what is left after the response unless waitUntil holds
    // it open. A Worker's timers do not run between requests: the request's spans are sent now.
    const afterResponse = new Promise<void>((resolve) => setImmediate(resolve));
    context.waitUntil(tracing === undefined ? afterResponse : afterResponse.then(tracing.flush));
    return response;
  },
};
