import { migrateUp } from "../../db/migrations/engine";
import {
  baselineDatabase,
  emptyDatabase,
  type Outcome,
  resolveMigration,
} from "../../db/migrations/repair";
import { seedDemoData } from "../../db/seed";
import { exitWithError, loadConfigOrExit } from "../../lib/fatal";
import { withDatabase } from "./context";
import { reportSeeded } from "./seed";

export function resolve(tag: string, outcome: Outcome): Promise<void> {
  return withDatabase(async ({ db, migrations }) => {
    console.log(await resolveMigration(db, migrations, tag, outcome));
    return 0;
  });
}

export function baseline(target: string): Promise<void> {
  const config = loadConfigOrExit();
  return withDatabase(async ({ db, migrations }) => {
    const url =
      config.database.dialect === "postgres"
        ? (config.databaseMigrationUrl ?? config.database.url)
        : "";
    console.log(await baselineDatabase(db, migrations, target, url));
    return 0;
  });
}

export function reset({ seed }: { seed: boolean }): Promise<void> {
  const config = loadConfigOrExit();
  if (config.nodeEnv === "production")
    exitWithError("reset refuses to run with NODE_ENV=production: it drops every table");
  return withDatabase(async ({ db, migrations }) => {
    await emptyDatabase(db);
    const applied = await migrateUp(db, migrations);
    console.log(
      `${db.dialect} ${db.description}: emptied, then applied ${applied.length} migrations (${applied.join(", ") || "none"})`,
    );
    if (seed) reportSeeded(db, config, await seedDemoData(db));
    return 0;
  });
}
