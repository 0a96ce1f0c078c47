/** The Bun entry: configuration, database, migrations, HTTP server and graceful stop. */
import { createApp } from "./app";
import { type Database, openDatabase } from "./db/client";
import { migrateUp } from "./db/migrations/engine";
import { migrationsFolder, readMigrations } from "./db/migrations/files";
import { describeError, exitWithError, loadConfigOrExit } from "./lib/fatal";
import { createLogger } from "./lib/logger";
import { generateAdminToken } from "./lib/tokens";

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
let db: Database;
try {
  db = openDatabase(config.database);
  await db.ping();
} catch (error) {
  exitWithError(`cannot open the ${config.database.dialect} database: ${describeError(error)}`);
}

if (config.migrateOnStart) {
  try {
    const applied = await migrateUp(db, readMigrations(migrationsFolder(db.dialect)));
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

const app = createApp({ db, config: { ...config, adminToken }, logger }).listen({
  hostname: config.host,
  port: config.port,
});
const url = `http://${app.server?.hostname}:${app.server?.port}`;
logger.info(`listening on ${url}`, {
  url,
  database: db.dialect,
  location: db.description,
  docs: `${url}/swagger`,
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info("stopping", { signal });
  // Without `true`, in-flight requests finish before the server closes.
  await app.stop();
  await db.close();
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
