/** `npm run db:migrate`: applies every pending migration to the configured database. */
import { openDatabase } from "../db/client";
import { migrateUp, migrationState } from "../db/migrations/engine";
import { migrationsFolder, readMigrations } from "../db/migrations/files";
import { describeError, exitWithError, loadConfigOrExit } from "../lib/fatal";

const config = loadConfigOrExit();
const db = openDatabase(config.database, { poolSize: 1 });
try {
  const migrations = readMigrations(migrationsFolder(db.dialect));
  const applied = await migrateUp(db, migrations);
  const { current } = await migrationState(db, migrations);
  for (const tag of applied) console.log(`applied ${tag}`);
  console.log(
    `${db.dialect} ${db.description}: ${applied.length === 0 ? "already up to date" : `${applied.length} applied`}, at ${current ?? "base"}`,
  );
} catch (error) {
  await db.close().catch(() => {});
  exitWithError(
    `migration failed, nothing after the last successful one was applied: ${describeError(error)}`,
  );
}
await db.close();
