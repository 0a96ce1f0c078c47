import type { Dialect } from "../../config";
import { conflictedMetaFiles, conflictMarkersProblem } from "../../db/migrations/branches";
import { readApplied } from "../../db/migrations/engine";
import { migrationsFolder } from "../../db/migrations/files";
import { rebaseMigrations } from "../../db/migrations/rebase";
import { exitWithError } from "../../lib/fatal";
import { withDatabase } from "./context";

const DIALECTS: readonly Dialect[] = ["postgres", "sqlite"];

/** The database is opened only to refuse rebasing a migration it has applied. */
export function rebase(): Promise<void> {
  // Before the journal is parsed: a merge may have left git's conflict markers in it.
  const conflicts = DIALECTS.flatMap((dialect) => {
    const folder = migrationsFolder(dialect);
    const conflicted = conflictedMetaFiles(folder);
    return conflicted.length > 0 ? [conflictMarkersProblem(folder, conflicted)] : [];
  });
  if (conflicts.length > 0) exitWithError(conflicts.join("\n"));
  return withDatabase(async ({ db }) => {
    const written = await rebaseMigrations({
      database: {
        dialect: db.dialect,
        description: db.description,
        applied: await readApplied(db),
      },
      log: (line) => console.log(line),
      warn: (line) => console.warn(`warning: ${line}`),
    });
    console.log(
      written.length === 0
        ? "nothing to rebase: no two migrations collide in drizzle/postgres or drizzle/sqlite"
        : "Review the new .sql and .down.sql files, then run npm run db -- check.",
    );
    return 0;
  });
}
