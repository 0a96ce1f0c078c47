/** The Bun entry: configuration, database, migrations, HTTP server and graceful stop. */
import { createApp } from "./app";
import { ConfigError, parseConfig } from "./config";
import { type Database, openDatabase } from "./db/client";
import { migrateUp } from "./db/migrations/engine";
import { migrationsFolder, readMigrations } from "./db/migrations/files";
import { createLogger } from "./lib/logger";

function fail(message: string): never {
  process.stderr.write(`tenant-api: ${message}\n`);
  process.exit(1);
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}${typeof code === "string" && !error.message.includes(code) ? ` (${code})` : ""}`;
}

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

const logger = createLogger(config.logLevel);
let db: Database;
try {
  db = openDatabase(config.database);
  await db.ping();
} catch (error) {
  fail(`cannot open the ${config.database.dialect} database: ${reason(error)}`);
}

if (config.migrateOnStart) {
  try {
    const applied = await migrateUp(db, readMigrations(migrationsFolder(db.dialect)));
    if (applied.length > 0) logger.info("migrations applied", { migrations: applied });
  } catch (error) {
    fail(`migration failed, nothing after the last successful one was applied: ${reason(error)}`);
  }
}

const app = createApp({ db, config, logger }).listen({ hostname: config.host, port: config.port });
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
