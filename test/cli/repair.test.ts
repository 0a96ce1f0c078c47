import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect } from "../../src/config";
import { readIncomplete } from "../../src/db/migrations/failures";
import {
  downPath,
  migrationsFolder,
  readMigrations,
  snapshotPath,
} from "../../src/db/migrations/files";
import {
  createEmptyDatabase,
  DIALECTS,
  describeEachDialect,
  type TestDatabase,
} from "../helpers/databases";
import { migrationFolderWith } from "../helpers/migration-folder";
import { copyProject, REPO_ROOT, runDb } from "../helpers/project";

const opened: TestDatabase[] = [];
const cleanups: { remove(): void }[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
  for (const cleanup of cleanups.splice(0)) cleanup.remove();
});

const BREAK = "\n--> statement-breakpoint\n";
// A statement that runs long enough to kill the migrator in the middle of it.
const LONG_STATEMENT: Record<Dialect, string> = {
  postgres: "select pg_sleep(120)",
  sqlite:
    "with recursive n(x) as (select 1 union all select x + 1 from n where x < 5000000000) select count(*) from n",
};

describeEachDialect("db resolve, reset and generate --custom", (_database, dialect) => {
  const fresh = async () => {
    const database = await createEmptyDatabase(dialect);
    opened.push(database);
    return database;
  };
  /** A project copy whose migrations end with the given hand-written one. */
  const projectWith = (up: string, down: string) => {
    const project = copyProject();
    cleanups.push(project);
    const extra = migrationFolderWith(dialect, [{ name: "by_hand", up, down }]);
    cleanups.push(extra);
    const folder = join(project.root, "drizzle", dialect);
    for (const name of readdirSync(extra.folder, { recursive: true }).map(String)) {
      if (name.endsWith(".sql") || name.endsWith(".json"))
        writeFileSync(join(folder, name), readFileSync(join(extra.folder, name)));
    }
    return { project, tag: extra.migrations.at(-1)?.tag ?? "" };
  };

  test("a migrator killed outside a transaction: status shows the statement, up refuses, resolve clears it", async () => {
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url };
    const { project, tag } = projectWith(
      `-- migrate:no-transaction\ncreate table killed_half (id integer);${BREAK}${LONG_STATEMENT[dialect]};\n`,
      "drop table killed_half;\n",
    );
    const migrator = Bun.spawn([process.execPath, join(project.root, "src/cli/db.ts"), "up"], {
      cwd: project.root,
      env: { ...process.env, ...env },
      stdout: "ignore",
      stderr: "ignore",
    });
    const deadline = Date.now() + 20_000;
    // Earlier migrations run outside a transaction too (0002 builds indexes concurrently): only
    // this one's statement 2 is the moment to kill the migrator.
    const reached = async () =>
      (await readIncomplete(db)).find((record) => record.tag === tag)?.statementNumber === 2;
    while (!(await reached())) {
      if (Date.now() > deadline) throw new Error("the migrator never reached statement 2");
      await Bun.sleep(50);
    }
    migrator.kill("SIGKILL");
    await migrator.exited;
    if (db.dialect === "postgres") {
      // The killed client's backend may still be sleeping: end it, as an operator would.
      await db.sql`select pg_terminate_backend(pid) from pg_stat_activity
        where query like 'select pg_sleep%' and pid <> pg_backend_pid()`;
    }

    const status = await runDb(project.root, ["status"], env);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`${tag} did not finish`);
    expect(status.stdout).toContain("at statement 2 of 2");
    const up = await runDb(project.root, ["up"], env);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toContain(`resolve ${tag} --applied`);
    expect((await runDb(project.root, ["check"], env)).exitCode).toBe(1);

    const both = await runDb(project.root, ["resolve", tag, "--applied", "--rolled-back"], env);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain("exactly one of");
    const resolved = await runDb(project.root, ["resolve", tag, "--applied"], env);
    expect(resolved.stderr).toBe("");
    expect(resolved.stdout).toContain(`${tag} is recorded as applied`);
    expect(await readIncomplete(db)).toEqual([]);
    const again = await runDb(project.root, ["up"], env);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("nothing to do");
  }, 60_000);

  test("reset refuses in production; reset --seed empties, migrates and seeds", async () => {
    const { url } = await fresh();
    const refused = await runDb(REPO_ROOT, ["reset"], {
      DATABASE_URL: url,
      NODE_ENV: "production",
      ADMIN_TOKEN: "a".repeat(32),
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("refuses to run with NODE_ENV=production");
    const env = { DATABASE_URL: url };
    expect((await runDb(REPO_ROOT, ["seed"], env)).exitCode).toBe(0);
    const reset = await runDb(REPO_ROOT, ["reset", "--seed"], env);
    expect(reset.stderr).toBe("");
    const count = readMigrations(migrationsFolder(dialect)).length;
    expect(reset.stdout).toContain(`emptied, then applied ${count} migrations`);
    expect(reset.stdout).toContain("3 demo tenants (3 created, 0 already there)");
  }, 60_000);

  test("generate --custom writes an empty pair in both dialects; check wants the down file", async () => {
    const project = copyProject();
    cleanups.push(project);
    const { url } = await fresh();
    const env = { DATABASE_URL: url };
    const missingName = await runDb(project.root, ["generate", "--custom"], env);
    expect(missingName.exitCode).toBe(1);
    const generated = await runDb(
      project.root,
      ["generate", "--custom", "--name", "backfill"],
      env,
    );
    expect(generated.exitCode).toBe(0);
    const index = readMigrations(migrationsFolder(dialect)).length;
    const tag = `${String(index).padStart(4, "0")}_backfill`;
    for (const each of DIALECTS) {
      const folder = join(project.root, "drizzle", each);
      const [previous, written] = [index - 1, index].map(
        (at) =>
          JSON.parse(readFileSync(snapshotPath(folder, at), "utf8")) as Record<string, unknown>,
      );
      expect(written?.prevId).toBe(previous?.id);
      expect({ ...written, id: "", prevId: "" }).toEqual({ ...previous, id: "", prevId: "" });
      expect(readMigrations(folder).at(-1)?.tag).toBe(tag);
    }
    expect((await runDb(project.root, ["up"], env)).exitCode).toBe(0);
    const check = await runDb(project.root, ["check"], env);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain(`${tag}.down.sql is empty`);
    for (const each of DIALECTS) {
      writeFileSync(
        downPath(join(project.root, "drizzle", each), tag),
        "-- irreversible: a backfill of derived data\n",
      );
    }
    const passed = await runDb(project.root, ["check"], env);
    expect(passed.stdout).toContain("check passed");
    const down = await runDb(project.root, ["down", "-1"], env);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain("irreversible (a backfill of derived data)");
  }, 120_000);
});
