/** The Bun entry: configuration, database, migrations, HTTP server and graceful stop. */
import { createApp } from "./app";
import { startupMigrations } from "./db/migrations/embedded";
import { migrateUp } from "./db/migrations/engine";
import { describeError, exitWithError, loadConfigOrExit, openDatabaseOrExit } from "./lib/fatal";
import { createLogger } from "./lib/logger";
import { bunPasswords } from "./lib/password-bun";
import { generateAdminToken } from "./lib/tokens";

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const db = await openDatabaseOrExit(config, {
  poolSize: config.databasePoolSize,
  acquireTimeoutMs: config.databaseAcquireTimeoutMs,
});
const migrations = startupMigrations(db.dialect);

if (config.migrateOnStart) {
  try {
    const applied = await migrateUp(db, migrations);
    if (applied.length > 0) logger.info("migrations applied", { migrations: applied });
  } catch (error) {
    exitWithError(
      `migration failed, nothing after the last successful one was applied: ${describeError(error)}`,
    );
  }
}

let adminToken = config.adminToken;
if (adminToken === undefined) {
  adminToken = generateAdminToken();
  logger.warn(
    "ADMIN_TOKEN is not set: generated one for this run. Set ADMIN_TOKEN (32+ characters) in .env to keep a fixed one",
    { adminToken },
  );
}

const stopping = new AbortController();
const app = createApp({
  db,
  config: { ...config, adminToken },
  logger,
  migrations,
  passwords: bunPasswords,
  shutdown: stopping.signal,
}).listen({ hostname: config.host, port: config.port });
const url = `http://${app.server?.hostname}:${app.server?.port}`;
logger.info(`listening on ${url}`, {
  url,
  database: db.dialect,
  location: db.description,
  docs: `${url}/swagger`,
});

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
  clearTimeout(timer);
  await db.close();
  logger.info("stopped");
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
