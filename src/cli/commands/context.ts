import type { Database } from "../../db/client";
import { type MigrationFile, migrationsFolder, readMigrations } from "../../db/migrations/files";
import {
  describeError,
  exitWithError,
  loadConfigOrExit,
  openMigrationDatabaseOrExit,
} from "../../lib/fatal";

export interface CommandContext {
  db: Database;
  folder: string;
  migrations: MigrationFile[];
}

/**
 * Opens the configured database (DATABASE_MIGRATION_URL when set) and reads its dialect's
 * migrations, then runs `body`.
 */
export async function withDatabase(
  body: (context: CommandContext) => Promise<number | undefined>,
): Promise<void> {
  const db = await openMigrationDatabaseOrExit(loadConfigOrExit());
  let exitCode: number | undefined;
  try {
    const folder = migrationsFolder(db.dialect);
    exitCode = await body({ db, folder, migrations: readMigrations(folder) });
  } catch (error) {
    await db.close().catch(() => {});
    exitWithError(describeError(error));
  }
  await db.close();
  if (exitCode) process.exit(exitCode);
}
