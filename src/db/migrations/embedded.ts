import type { Dialect } from "../../config";
import { type MigrationFile, migrationsFolder, migrationsFromTexts, readMigrations } from "./files";

/** Each dialect's migration files, keyed by their path inside drizzle/<dialect>/. */
export type EmbeddedMigrations = Record<Dialect, Readonly<Record<string, string>>>;

/**
 * The module the build's bundler plugin (scripts/build.ts) makes from drizzle/ at build time: it
 * is never a file, so that no stale or half-written copy can be compiled in. Outside a build it
 * resolves to nothing, and only a compiled executable requires it.
 */
export const EMBEDDED_MIGRATIONS_MODULE = "tenant-api:embedded-migrations";

/**
 * The migrations the server runs at start-up and reports on /ready: the ones compiled into the
 * executable when it is one (`npm run build`), otherwise drizzle/<dialect>/ on disk, so that
 * `npm start` always sees the working tree.
 *
 * A compiled executable has no drizzle/ folder next to it. `Bun.isStandaloneExecutable` is the
 * runtime's own answer to "am I one", and the embedded module is only required then.
 */
export function startupMigrations(dialect: Dialect): MigrationFile[] {
  if (!Bun.isStandaloneExecutable) return readMigrations(migrationsFolder(dialect));
  return migrationsFromTexts(compiledMigrations()[dialect], `(compiled in) drizzle/${dialect}`);
}

function compiledMigrations(): EmbeddedMigrations {
  // require, not import: an import would make every run outside a build look for the module.
  // Never inside a try: Bun's bundler turns a require it cannot resolve inside one into a throw at
  // run time, instead of failing the build.
  const embedded = require("tenant-api:embedded-migrations") as { MIGRATIONS: EmbeddedMigrations };
  return embedded.MIGRATIONS;
}
