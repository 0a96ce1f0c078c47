import type { Dialect } from "../../config";
import { type MigrationFile, migrationsFolder, migrationsFromTexts, readMigrations } from "./files";

/** Each dialect's migration files, keyed by their path inside drizzle/<dialect>/. */
type EmbeddedMigrations = Record<Dialect, Readonly<Record<string, string>>>;

/** The module scripts/build.ts writes (git-ignored) just before `bun build --compile`. */
export const GENERATED_MODULE = "embedded.generated.ts";

/**
 * The migrations the server runs at start-up and reports on /ready: the ones compiled into the
 * executable when it is one (`npm run build`), otherwise drizzle/<dialect>/ on disk, so that
 * `npm start` always sees the working tree.
 *
 * A compiled executable has no drizzle/ folder next to it. `Bun.isStandaloneExecutable` is the
 * runtime's own answer to "am I one", and the generated module is only required then: the bundler
 * compiles it in, while the source tree (where it may not exist) never loads it.
 */
export function startupMigrations(dialect: Dialect): MigrationFile[] {
  if (!Bun.isStandaloneExecutable) return readMigrations(migrationsFolder(dialect));
  return migrationsFromTexts(compiledMigrations()[dialect], `(compiled in) drizzle/${dialect}`);
}

function compiledMigrations(): EmbeddedMigrations {
  try {
    // require, not import: a static import would fail the type check of a fresh clone, where the
    // generated module does not exist yet, and a dynamic import() would make start-up async.
    const generated = require("./embedded.generated") as { MIGRATIONS: EmbeddedMigrations };
    return generated.MIGRATIONS;
  } catch (error) {
    throw new Error(
      `this executable was built without its migrations (${GENERATED_MODULE}): build it with npm run build`,
      { cause: error },
    );
  }
}
