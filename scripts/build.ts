/**
 * `npm run build [-- --outfile PATH]`: one executable (default dist/tenant-api) holding the Bun
 * runtime, the bundled app and the migrations of both dialects. It needs no Node, no Bun and no
 * checkout where it runs. Built for this machine's platform.
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";
import type { Dialect } from "../src/config";
import { EMBEDDED_MIGRATIONS_MODULE, type EmbeddedMigrations } from "../src/db/migrations/embedded";
import { migrationsFolder } from "../src/db/migrations/files";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** What the server reads of a dialect's folder: the journal and every .sql file (up and down). */
function migrationFileNames(folder: string): string[] {
  const sql = readdirSync(folder).filter((name) => name.endsWith(".sql"));
  return ["meta/_journal.json", ...sql.sort()];
}

/** Every migration file of both dialects as it is now, keyed by its path in drizzle/<dialect>/. */
function readEmbeddedMigrations(): EmbeddedMigrations {
  const texts = (dialect: Dialect) => {
    const folder = migrationsFolder(dialect);
    return Object.fromEntries(
      migrationFileNames(folder).map((name) => [name, readFileSync(join(folder, name), "utf8")]),
    );
  };
  return { postgres: texts("postgres"), sqlite: texts("sqlite") };
}

/**
 * Serves the module src/db/migrations/embedded.ts requires, made in memory from drizzle/ when the
 * bundler asks for it: no generated file that a build could find stale, half written, or (as a
 * build in CI once did, silently) not at all. `embedded` counts the bundler's requests for it.
 */
function embeddedMigrationsPlugin(): BunPlugin & { embedded: number } {
  const namespace = "tenant-api-embedded";
  const plugin = {
    name: "embedded-migrations",
    embedded: 0,
    setup(build: Parameters<BunPlugin["setup"]>[0]) {
      const exact = new RegExp(`^${EMBEDDED_MIGRATIONS_MODULE}$`);
      build.onResolve({ filter: exact }, () => ({ path: EMBEDDED_MIGRATIONS_MODULE, namespace }));
      build.onLoad({ filter: /.*/, namespace }, () => {
        plugin.embedded++;
        const migrations = readEmbeddedMigrations();
        return {
          loader: "js",
          contents: `export const MIGRATIONS = ${JSON.stringify(migrations)};`,
        };
      });
    },
  };
  return plugin;
}

const { values } = parseArgs({ options: { outfile: { type: "string" } } });
const outfile = resolve(values.outfile ?? join(ROOT, "dist/tenant-api"));
const embeddedMigrations = embeddedMigrationsPlugin();

const result = await Bun.build({
  entrypoints: [join(ROOT, "src/index.ts")],
  compile: {
    outfile,
    // A bunfig.toml in the folder the binary starts from could preload code into it.
    autoloadBunfig: false,
    // .env in the working directory is read, as `npm start` does.
    autoloadDotenv: true,
  },
  // About 0.6 MB less. Minified and unminified builds answered the same requests alike (every
  // route group, validation, errors, auth, docs), and test/build.test.ts runs this build.
  minify: true,
  // Compiled into the executable: logged stack traces point at src/ lines, for about 1 MB.
  sourcemap: "linked",
  plugins: [embeddedMigrations],
  throw: false,
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
if (embeddedMigrations.embedded !== 1) {
  // The executable would start and then fail for want of its migrations: no executable at all.
  rmSync(outfile, { force: true });
  console.error(
    `the bundle did not take in ${EMBEDDED_MIGRATIONS_MODULE} (loaded ${embeddedMigrations.embedded} times): no executable written`,
  );
  process.exit(1);
}
// The executable carries its source map; the copy written beside it is not needed.
rmSync(`${outfile}.map`, { force: true });

const megabytes = (statSync(outfile).size / 1_000_000).toFixed(1);
console.log(`built ${relative(process.cwd(), outfile) || outfile} (${megabytes} MB)`);
