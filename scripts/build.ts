/**
 * `npm run build [-- --outfile PATH]`: one executable (default dist/tenant-api) holding the Bun
 * runtime, the bundled app and the migrations of both dialects. It needs no Node, no Bun and no
 * checkout where it runs. Built for this machine's platform.
 */
import { readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Dialect } from "../src/config";
import { GENERATED_MODULE } from "../src/db/migrations/embedded";
import { migrationsFolder } from "../src/db/migrations/files";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MIGRATIONS_SOURCE = join(ROOT, "src/db/migrations");
const DIALECTS: readonly Dialect[] = ["postgres", "sqlite"];

/** What the server reads of a dialect's folder: the journal and every .sql file (up and down). */
function migrationFileNames(folder: string): string[] {
  const sql = readdirSync(folder).filter((name) => name.endsWith(".sql"));
  return ["meta/_journal.json", ...sql.sort()];
}

/**
 * The source of the generated module: every migration file imported as text, so that the bundler
 * reads the files as they are at build time and compiles them in.
 */
function embeddedModuleSource(): string {
  const imports: string[] = [];
  const dialects = DIALECTS.map((dialect) => {
    const folder = migrationsFolder(dialect);
    const files = migrationFileNames(folder).map((name, index) => {
      const binding = `${dialect}${index}`;
      const specifier = relative(MIGRATIONS_SOURCE, join(folder, name)).replaceAll("\\", "/");
      imports.push(`import ${binding} from ${JSON.stringify(specifier)} with { type: "text" };`);
      return `    ${JSON.stringify(name)}: ${binding},`;
    });
    return `  ${dialect}: {\n${files.join("\n")}\n  },`;
  });
  return [
    "// Written by scripts/build.ts from drizzle/ before every build: do not edit, not committed.",
    "// @ts-nocheck: tsc reads a .json import as JSON and knows no .sql modules; Bun imports both as text.",
    'import type { EmbeddedMigrations } from "./embedded";',
    ...imports,
    "",
    `export const MIGRATIONS: EmbeddedMigrations = {\n${dialects.join("\n")}\n};`,
    "",
  ].join("\n");
}

const { values } = parseArgs({ options: { outfile: { type: "string" } } });
const outfile = resolve(values.outfile ?? join(ROOT, "dist/tenant-api"));

// Written aside and renamed, so that a build running at the same time never reads half a file.
const generated = join(MIGRATIONS_SOURCE, GENERATED_MODULE);
writeFileSync(`${generated}.${process.pid}`, embeddedModuleSource());
renameSync(`${generated}.${process.pid}`, generated);

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
  throw: false,
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
// The executable carries its source map; the copy written beside it is not needed.
rmSync(`${outfile}.map`, { force: true });

const megabytes = (statSync(outfile).size / 1_000_000).toFixed(1);
console.log(`built ${relative(process.cwd(), outfile) || outfile} (${megabytes} MB)`);
