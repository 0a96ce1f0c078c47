/**
 * Which files to lint and what came before each: a migration is a `.sql` file beside a
 * meta/_journal.json, its dialect known from its folder (drizzle/postgres, drizzle/sqlite).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Dialect } from "../../../config";
import { journalPath, migrationsFolder, readJournal, upPath } from "../files";

/** A mistake in what the user asked to lint: reported as one line, not as findings. */
export class LintInputError extends Error {}

export interface LintTarget {
  /** As findings print it: relative to the project root when inside it. */
  file: string;
  dialect: Dialect;
  /** Up files give errors; down files only notes, undoing being destructive by nature. */
  direction: "up" | "down";
  text: string;
  /** The up files that ran before it, oldest first: they make the tables it finds existing. */
  earlier: string[];
}

const DIALECT_FOLDERS: readonly Dialect[] = ["postgres", "sqlite"];
const JOURNAL_DIALECTS: Readonly<Record<string, Dialect>> = {
  postgresql: "postgres",
  sqlite: "sqlite",
};
/** A migration as git lists it, relative to the project root. */
const MIGRATION_PATH = /^drizzle\/(postgres|sqlite)\/[^/]+\.sql$/;

/** The folder that holds drizzle/: the project the running code belongs to. */
export const projectRoot = () => dirname(dirname(migrationsFolder("postgres")));

function dialectOf(folder: string, path: string): Dialect {
  const name = basename(folder);
  const dialect =
    DIALECT_FOLDERS.find((known) => known === name) ??
    JOURNAL_DIALECTS[readJournal(folder).dialect ?? ""];
  if (dialect === undefined)
    throw new LintInputError(
      `cannot tell the dialect of ${path}: its folder is not postgres or sqlite`,
    );
  return dialect;
}

function targetOf(path: string, root: string): LintTarget {
  const absolute = resolve(path);
  const folder = dirname(absolute);
  const name = basename(absolute);
  const notMigration = `${path} is not a migration (a .sql file beside meta/_journal.json, as in drizzle/postgres or drizzle/sqlite)`;
  if (!existsSync(absolute)) throw new LintInputError(`${path} does not exist`);
  if (!name.endsWith(".sql") || !statSync(absolute).isFile() || !existsSync(journalPath(folder)))
    throw new LintInputError(notMigration);
  const direction = name.endsWith(".down.sql") ? "down" : "up";
  const tag = name.slice(0, -(direction === "down" ? ".down.sql" : ".sql").length);
  const tags = readJournal(folder).entries.map((entry) => entry.tag);
  const position = tags.indexOf(tag);
  // A file outside the journal comes after all of it; a down file runs after its own up file.
  const before = position === -1 ? tags : tags.slice(0, position);
  const earlierTags = direction === "down" ? [...before, tag] : before;
  const fromRoot = relative(root, absolute);
  return {
    file: fromRoot.startsWith("..") || isAbsolute(fromRoot) ? absolute : fromRoot,
    dialect: dialectOf(folder, path),
    direction,
    text: readFileSync(absolute, "utf8"),
    earlier: earlierTags
      .map((earlierTag) => upPath(folder, earlierTag))
      .filter((earlierPath) => existsSync(earlierPath) && earlierPath !== absolute)
      .map((earlierPath) => readFileSync(earlierPath, "utf8")),
  };
}

export function lintTargets(paths: string[], root: string): LintTarget[] {
  const seen = new Set<string>();
  return paths.flatMap((path) => {
    if (seen.has(resolve(path))) return [];
    seen.add(resolve(path));
    try {
      return [targetOf(path, root)];
    } catch (error) {
      if (error instanceof LintInputError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new LintInputError(`cannot read ${path}: ${reason}`);
    }
  });
}

/** Every migration of both dialects, up and down files, in file name order. */
export function allMigrationPaths(): string[] {
  return DIALECT_FOLDERS.flatMap((dialect) => {
    const folder = migrationsFolder(dialect);
    return readdirSync(folder)
      .filter((name) => name.endsWith(".sql"))
      .sort()
      .map((name) => join(folder, name));
  });
}

function git(root: string, args: string[]): string {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (result.error !== undefined)
    throw new LintInputError(`cannot run git: ${result.error.message}`);
  if (result.status !== 0) {
    const message = result.stderr.trim().split("\n")[0] ?? "";
    throw new LintInputError(`git ${args[0]} failed: ${message}`);
  }
  return result.stdout;
}

/**
 * The migrations added since the merge base with `base`: committed, staged or untracked, as
 * long as they are in the working tree now.
 */
export function migrationsAddedSince(base: string, root: string): string[] {
  if (base.startsWith("-")) throw new LintInputError(`--base ${base} is not a git ref`);
  const mergeBase = git(root, ["merge-base", "HEAD", base]).trim();
  const added = git(root, [
    "diff",
    "--name-only",
    "--relative",
    "--no-renames",
    "--diff-filter=A",
    mergeBase,
    "--",
    "drizzle",
  ]);
  const untracked = git(root, ["ls-files", "--others", "--exclude-standard", "--", "drizzle"]);
  const paths = `${added}\n${untracked}`.split("\n").filter((path) => MIGRATION_PATH.test(path));
  return [...new Set(paths)].sort().map((path) => join(root, path));
}
