import { Elysia, type ElysiaConfig } from "elysia";
import packageJson from "../package.json" with { type: "json" };
import type { Config } from "./config";
import type { AppDatabase } from "./db/client";
import type { MigrationFile } from "./db/migrations/files";
import { authentication } from "./http/auth";
import { cors } from "./http/cors";
import { errorHandler } from "./http/error-handler";
import { idempotentCreates } from "./http/idempotency";
import { jsonBody } from "./http/json-body";
import { type Observability, observeRequests } from "./http/observe";
import { apiDocs } from "./http/openapi";
import { pageLinks } from "./http/page-links";
import { lowerCasePathIds } from "./http/path-ids";
import { readRouting } from "./http/read-routing";
import { requestLog } from "./http/request-log";
import { createLogger, type Logger } from "./lib/logger";
import type { PasswordHasher } from "./lib/password";
import { apiKeyRoutes } from "./modules/api-keys/routes";
import { createApiKeyService } from "./modules/api-keys/service";
import { credentialRoutes } from "./modules/credentials/routes";
import { createCredentialService } from "./modules/credentials/service";
import { healthRoutes } from "./modules/health/routes";
import { createIdempotencyService } from "./modules/idempotency/service";
import { tenantRoutes } from "./modules/tenants/routes";
import { createTenantService } from "./modules/tenants/service";
import { userRoutes } from "./modules/users/routes";
import { createUserService } from "./modules/users/service";
import { metricsRoute, type Scraper } from "./observability/metrics-endpoint";
import { tracedPasswords } from "./observability/passwords";

export interface AppDependencies {
  db: AppDatabase;
  /** The admin token is settled before the app is built (src/index.ts generates one in development). */
  config: Config & { adminToken: string };
  logger?: Logger;
  /** The dialect's migrations, which /ready compares with the database: read by the caller. */
  migrations: MigrationFile[];
  /** The runtime's argon2id (src/lib/password-*.ts). */
  passwords: PasswordHasher;
  /** Aborted when the server starts to stop: /ready then answers 503 so that traffic moves away. */
  shutdown?: AbortSignal;
  /** Elysia's adapter for a runtime other than Bun, e.g. Cloudflare Workers (default: Bun's). */
  adapter?: ElysiaConfig<"">["adapter"];
  /**
   * Prometheus metrics and OpenTelemetry traces (src/observability/); none by default. `scrape`
   * answers GET /metrics on the API's port when METRICS_TOKEN is set.
   */
  observability?: Observability & { scrape?: Scraper };
}

export function createApp({
  db,
  config,
  logger = createLogger(config.logLevel),
  shutdown,
  migrations,
  passwords,
  adapter,
  observability = {},
}: AppDependencies) {
  const { metrics, tracer, scrape } = observability;
  const hasher = tracer === undefined ? passwords : tracedPasswords(passwords, tracer);
  const tenants = createTenantService(db);
  const users = createUserService(db, tenants, hasher);
  const apiKeys = createApiKeyService(db);
  const credentials = createCredentialService(db, hasher, metrics?.credentialChecked);
  const readReplicas = "replicas" in db && db.replicas !== undefined;
  const authenticated = authentication(config.adminToken, apiKeys, readReplicas);
  const once = idempotentCreates(createIdempotencyService(db, config.idempotencyTtlSeconds));
  const metricsToken = config.metrics.token;

  // normalize: false turns unknown body properties into 422 instead of dropping them silently.
  return new Elysia({ normalize: false, adapter })
    .use(observeRequests({ metrics, tracer }))
    .use(readRouting(readReplicas))
    .use(requestLog(logger))
    .use(cors(config.corsOrigins))
    .use(errorHandler(logger))
    .use(jsonBody(config.bodyLimitBytes))
    .use(lowerCasePathIds())
    .use(pageLinks())
    .use(
      apiDocs({
        title: "tenant-api",
        version: packageJson.version,
        description:
          "Tenants and the users inside each tenant. Errors are RFC 9457 problem details.",
      }),
    )
    .use(healthRoutes(db, migrations, shutdown))
    .use(
      metricsToken !== undefined && scrape !== undefined
        ? metricsRoute(metricsToken, scrape)
        : new Elysia({ name: "no-metrics-route" }),
    )
    .use(tenantRoutes(tenants, authenticated, config.requireIfMatch, once))
    .use(userRoutes(users, authenticated, config.requireIfMatch, once))
    .use(apiKeyRoutes(apiKeys, tenants, authenticated, config.requireIfMatch, once))
    .use(credentialRoutes(credentials, tenants, authenticated));
}

export type App = ReturnType<typeof createApp>;
