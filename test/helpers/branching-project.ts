/**
 * A copy of the project made a git repository, with branches that each generated a migration
 * from the same commit, merged the way a user would: for `db rebase` and `db check`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readMigrations } from "../../src/db/migrations/files";
import { type CommandResult, copyProject, runCommand, runDb } from "./project";

/** Both dialects' tables, under import aliases of their own so that two blocks can coexist. */
function tablesBlock(alias: string, table: string, column: string): string {
  return `
// --- ${table}
import { integer as ${alias}PgInteger, pgTable as ${alias}PgTable, text as ${alias}PgText } from "drizzle-orm/pg-core";
import { integer as ${alias}SqliteInteger, sqliteTable as ${alias}SqliteTable, text as ${alias}SqliteText } from "drizzle-orm/sqlite-core";
export const ${alias}Pg = ${alias}PgTable("${table}", { id: ${alias}PgText("id").primaryKey(), ${column}: ${alias}PgInteger("${column}").notNull() });
export const ${alias}Sqlite = ${alias}SqliteTable("${table}", { id: ${alias}SqliteText("id").primaryKey(), ${column}: ${alias}SqliteInteger("${column}").notNull() });
`;
}

export type BranchingProject = Awaited<ReturnType<typeof branchingProject>>;

/**
 * Branches from the commit `base`:
 * - labels: table labels appended to schema.ts, `generate --name add_labels` (generated first);
 * - budgets: table budgets at the top of schema.ts, so that schema.ts merges cleanly,
 *   `generate --name add_budgets` (generated second: the later migration);
 * - budgets-hand: budgets plus a hand-written index in add_budgets's up and down files;
 * - backfill: `generate --custom --name backfill`, a hand-written no-transaction index.
 */
export async function branchingProject() {
  const project = copyProject();
  const { root } = project;
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
  const git = async (...args: string[]): Promise<CommandResult> => {
    const result = await runCommand(["git", ...args], { cwd: root, env });
    if (result.exitCode !== 0 && args[0] !== "merge")
      throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
    return result;
  };
  const path = (file: string) => join(root, file);
  const read = (file: string) => readFileSync(path(file), "utf8");
  const write = (file: string, text: string) => writeFileSync(path(file), text);
  const generate = async (...args: string[]) => {
    const result = await runDb(root, ["generate", ...args], {});
    if (result.exitCode !== 0) throw new Error(`generate failed: ${result.stderr}`);
  };
  const commitAll = async (message: string) => {
    await git("add", "-A");
    await git("commit", "-q", "-m", message);
  };
  const schema = "src/db/schema.ts";
  const dialects = ["postgres", "sqlite"] as const;

  // The project's own migrations come first: the branches' take the next number, the rebased
  // one the number after.
  const committed = readMigrations(join(root, "drizzle", "sqlite")).length;
  const [branchNumber, rebasedNumber] = [committed, committed + 1].map((number) =>
    String(number).padStart(4, "0"),
  );

  await git("init", "-q", "-b", "base");
  await git("config", "user.email", "test@example.com");
  await git("config", "user.name", "Test");
  await commitAll("base");
  const original = read(schema);

  await git("checkout", "-q", "-b", "labels", "base");
  write(schema, original + tablesBlock("labels", "labels", "position"));
  await generate("--name", "add_labels");
  await commitAll("labels");

  await git("checkout", "-q", "-b", "budgets", "base");
  write(schema, tablesBlock("budgets", "budgets", "amount") + original);
  await generate("--name", "add_budgets");
  await commitAll("budgets");

  await git("checkout", "-q", "-b", "budgets-hand", "budgets");
  for (const dialect of dialects) {
    const up = `drizzle/${dialect}/${branchNumber}_add_budgets.sql`;
    const down = `drizzle/${dialect}/${branchNumber}_add_budgets.down.sql`;
    write(up, `${read(up)}--> statement-breakpoint\n${HAND_WRITTEN.up}\n`);
    write(down, `${HAND_WRITTEN.down}\n--> statement-breakpoint\n${read(down)}`);
  }
  await commitAll("budgets: a hand-written index");

  await git("checkout", "-q", "-b", "backfill", "base");
  await generate("--custom", "--name", "backfill");
  for (const dialect of dialects) {
    write(`drizzle/${dialect}/${branchNumber}_backfill.sql`, CUSTOM.up);
    write(`drizzle/${dialect}/${branchNumber}_backfill.down.sql`, CUSTOM.down);
  }
  await commitAll("backfill");

  return {
    root,
    /** The number both branches' migrations take, and the one rebase moves the later to. */
    branchNumber: branchNumber ?? "",
    rebasedNumber: rebasedNumber ?? "",
    remove: project.remove,
    git,
    read,
    write,
    /**
     * A fresh branch from labels with `branch` merged into it, meta/ conflicts resolved by
     * keeping labels' side (or by `resolve`), committed.
     */
    async merge(branch: string, resolve?: () => Promise<void>) {
      await git("checkout", "-q", "-f", "-B", `merge-${branch}`, "labels");
      await git("clean", "-q", "-f", "-d");
      await git("merge", "-q", branch);
      if (resolve) await resolve();
      else await git("checkout", "--ours", "--", "drizzle/postgres/meta", "drizzle/sqlite/meta");
      await commitAll(`merge ${branch}`);
    },
  };
}

export const HAND_WRITTEN = {
  up: "CREATE INDEX budgets_amount_idx ON budgets (amount);",
  down: "DROP INDEX budgets_amount_idx;",
};

export const CUSTOM = {
  up: "-- migrate:no-transaction\n-- names are searched often\nCREATE INDEX tenants_name_idx ON tenants (name);\n",
  down: "DROP INDEX tenants_name_idx;\n",
};
