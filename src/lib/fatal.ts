import { type Config, ConfigError, type DatabaseConfig, parseConfig } from "../config";
import { type Database, type OpenOptions, openDatabase } from "../db/client";

/** Ends the process with one line on stderr and exit code 1: no stack trace for a user's mistake. */
export function exitWithError(message: string): never {
  process.stderr.write(`tenant-api: ${message}\n`);
  process.exit(1);
}

/** The message of an error and of its cause, with a driver's error code where it adds one. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause =
    error.cause instanceof Error && !error.message.includes(error.cause.message)
      ? `: ${error.cause.message}`
      : "";
  const codeNote = typeof code === "string" && !error.message.includes(code) ? ` (${code})` : "";
  return `${error.message}${cause}${codeNote}`;
}

export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) exitWithError(error.message);
    throw error;
  }
}

/** The configured database, answering; otherwise one line and exit code 1. */
export async function openDatabaseOrExit(config: Config, options: OpenOptions): Promise<Database> {
  try {
    const db = openDatabase(config.database, options);
    await db.ping();
    return db;
  } catch (error) {
    exitWithError(`cannot open the ${config.database.dialect} database: ${describeError(error)}`);
  }
}

/**
 * The database the migrations run on: DATABASE_MIGRATION_URL when set (a direct connection beside
 * a pooler), else the app's. Three connections: the migration lock's, the migrations', and one
 * for reading the bookkeeping. Never named prepared statements: a migration run is too short to
 * gain from them, and so `db` works through a transaction pooler whatever DATABASE_PREPARE says.
 */
export function openMigrationDatabaseOrExit(config: Config): Promise<Database> {
  const url = config.databaseMigrationUrl;
  const database: DatabaseConfig = url ? { dialect: "postgres", url } : config.database;
  return openDatabaseOrExit({ ...config, database }, { poolSize: 3, prepare: false });
}
