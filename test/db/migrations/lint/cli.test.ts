import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyProject, REPO_ROOT, runCommand, runDb } from "../../../helpers/project";

/** `npm run db -- lint` as CI runs it, in a git repository made of a copy of the project. */
describe("db lint, run as a process", () => {
  let project: ReturnType<typeof copyProject>;
  const lint = (...args: string[]) => runDb(project.root, ["lint", ...args], {});
  const git = async (...args: string[]) => {
    const result = await runCommand(
      ["git", "-c", "user.name=lint", "-c", "user.email=lint@example.com", ...args],
      { cwd: project.root },
    );
    if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  };
  const migration = (dialect: string, name: string) => join(project.root, "drizzle", dialect, name);

  beforeAll(async () => {
    project = copyProject();
    await git("init", "-q", "-b", "main");
    await git("add", "src", "drizzle", "package.json", "tsconfig.json", "drizzle.config.ts");
    await git("commit", "-q", "-m", "project");
  });
  afterAll(() => project.remove());

  test("the committed migrations: exit 0 and a summary line", async () => {
    const result = await lint();
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    // Every up and down file of both dialects.
    const files = ["postgres", "sqlite"].flatMap((dialect) =>
      readdirSync(join(REPO_ROOT, "drizzle", dialect)).filter((name) => name.endsWith(".sql")),
    );
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(
      new RegExp(`^lint: 0 errors, \\d+ notes \\(4 approved\\) in ${files.length} files$`),
    );
  });

  test("--base lints only the migrations added since the merge base: committed, staged and untracked", async () => {
    await git("checkout", "-q", "-b", "feature");
    writeFileSync(
      migration("postgres", "0002_committed.sql"),
      'ALTER TABLE "users" DROP COLUMN "name";\n',
    );
    await git("add", "drizzle");
    await git("commit", "-q", "-m", "a migration");
    writeFileSync(
      migration("sqlite", "0002_staged.sql"),
      "ALTER TABLE `users` DROP COLUMN `name`;\n",
    );
    await git("add", "drizzle");
    writeFileSync(
      migration("sqlite", "0002_staged.down.sql"),
      "ALTER TABLE `users` ADD `name` text(200);\n",
    );
    const result = await lint("--base", "main", "--format", "json");
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout);
    expect([...new Set(report.findings.map((finding: { file: string }) => finding.file))]).toEqual([
      "drizzle/postgres/0002_committed.sql",
      "drizzle/sqlite/0002_staged.sql",
    ]);
    expect(report.counts).toEqual({ errors: 3, notes: 0, approved: 0, files: 3 });

    const onMain = await lint("--base", "HEAD");
    expect(onMain.stdout).not.toContain("0002_committed");
    expect(onMain.stdout).toContain("0002_staged.sql:1: error drop-column");
  });

  test("files: exit 1 on an unapproved error, 0 once approved", async () => {
    const file = migration("postgres", "0003_drop.sql");
    writeFileSync(file, 'DROP TABLE "api_keys";\n');
    const failing = await lint(file);
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain("drizzle/postgres/0003_drop.sql:1: error drop-table:");
    writeFileSync(
      file,
      "SET lock_timeout = '5s';\n-- lint:allow drop-table keys moved to the vault in v2\nDROP TABLE \"api_keys\";\n",
    );
    const approved = await lint(file, "--format", "json");
    expect(approved.exitCode).toBe(0);
    expect(JSON.parse(approved.stdout).counts).toEqual({
      errors: 0,
      notes: 1,
      approved: 1,
      files: 1,
    });
  });

  test("a file that is not a migration, or a bad ref: one line on stderr, exit 1", async () => {
    for (const args of [
      ["package.json"],
      ["drizzle/postgres/nope.sql"],
      ["--base", "no-such-ref"],
      ["--format", "xml"],
    ]) {
      const result = await lint(...args);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^tenant-api: [^\n]+\n$/);
    }
  });
});

test("npm run db -- lint on the repository itself exits 0", async () => {
  const result = await runCommand(["npm", "run", "-s", "db", "--", "lint"], { cwd: REPO_ROOT });
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/\nlint: 0 errors, \d+ notes? \(\d+ approved\) in \d+ files\n$/);
});
