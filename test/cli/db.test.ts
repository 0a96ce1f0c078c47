import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getTableName } from "drizzle-orm";
import postgres from "postgres";
import { readApplied } from "../../src/db/migrations/engine";
import {
  journalPath,
  migrationsFolder,
  readJournal,
  readMigrations,
} from "../../src/db/migrations/files";
import { POSTGRES_MIGRATION_LOCK } from "../../src/db/migrations/run-postgres";
import { postgresTables } from "../../src/db/schema";
import { createEmptyDatabase, describeEachDialect, type TestDatabase } from "../helpers/databases";
import { copyProject, REPO_ROOT, runDb } from "../helpers/project";
import { rowCounts, schemaShape } from "../helpers/schema-shape";

const opened: TestDatabase[] = [];
const projects: { remove(): void }[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
  for (const project of projects.splice(0)) project.remove();
});

describe("db command line", () => {
  test("--help lists every command; each command has its own --help", async () => {
    const help = await runDb(REPO_ROOT, ["--help"], {});
    expect(help.exitCode).toBe(0);
    for (const command of [
      "status",
      "history",
      "up",
      "down",
      "check",
      "generate",
      "lint",
      "resolve",
      "baseline",
      "reset",
      "rebase",
      "seed",
    ]) {
      expect(help.stdout).toContain(command);
      const own = await runDb(REPO_ROOT, [command, "--help"], {});
      expect(own.exitCode).toBe(0);
      expect(own.stdout).toContain(`npm run db -- ${command}`);
    }
  });

  test("down never runs without a target", async () => {
    const result = await runDb(REPO_ROOT, ["down"], { DATABASE_URL: "file:/nonexistent/never.db" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("down <target>");
  });

  test("an unknown command or option exits 1 with one line", async () => {
    expect((await runDb(REPO_ROOT, ["sideways"], {})).exitCode).toBe(1);
    const option = await runDb(REPO_ROOT, ["up", "--force"], {});
    expect(option.exitCode).toBe(1);
    expect(option.stderr).toContain("--force");
  });
});

describeEachDialect("db command line", (_database, dialect) => {
  const migrations = readMigrations(migrationsFolder(dialect));
  /** A copy of the project and a fresh database migrated to head with it. */
  const migratedCopy = async () => {
    const project = copyProject();
    projects.push(project);
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url };
    expect((await runDb(project.root, ["up"], env)).exitCode).toBe(0);
    return { project, db, url, env, first: migrations[0]?.tag ?? "" };
  };
  const fresh = async () => {
    const database = await createEmptyDatabase(dialect);
    opened.push(database);
    return database;
  };

  test("up --dry-run prints the SQL and changes nothing", async () => {
    const { db, url } = await fresh();
    const before = schemaShape(db, url);
    const result = await runDb(REPO_ROOT, ["up", "--dry-run"], { DATABASE_URL: url });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("CREATE TABLE");
    expect(schemaShape(db, url)).toBe(before);
    expect(await readApplied(db)).toEqual([]);
  });

  test("status, up, history, down base, check", async () => {
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url };
    const status = await runDb(REPO_ROOT, ["status"], env);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`dialect:   ${dialect}`);
    expect(status.stdout).toContain("base (nothing applied)");
    expect((await runDb(REPO_ROOT, ["up"], env)).exitCode).toBe(0);
    const history = await runDb(REPO_ROOT, ["history"], env);
    for (const migration of migrations)
      expect(history.stdout).toMatch(new RegExp(`${migration.tag}\\s+applied 20`));
    const check = await runDb(REPO_ROOT, ["check"], env);
    expect(check.stdout + check.stderr).toContain("check passed");
    expect(check.exitCode).toBe(0);
    expect((await runDb(REPO_ROOT, ["down", "base"], env)).exitCode).toBe(0);
    expect(await readApplied(db)).toEqual([]);
  }, 30_000);

  test("three migrators at once, ten times: each migration applied exactly once, all exit 0", async () => {
    for (let round = 0; round < 10; round++) {
      const { db, url } = await fresh();
      const results = await Promise.all(
        [1, 2, 3].map(() => runDb(REPO_ROOT, ["up"], { DATABASE_URL: url })),
      );
      for (const result of results) expect(result).toMatchObject({ exitCode: 0 });
      const applied = await readApplied(db);
      expect(applied.map((row) => row.createdAt)).toEqual(
        migrations.map((migration) => migration.createdAt),
      );
    }
  }, 120_000);

  test("a lock held by another session: up waits, times out, exits 1 and changes nothing", async () => {
    const { db, url } = await fresh();
    const before = schemaShape(db, url);
    const holder =
      dialect === "postgres" ? postgres(url, { max: 1, onnotice: () => {} }) : undefined;
    if (holder) await holder`select pg_advisory_lock(${POSTGRES_MIGRATION_LOCK})`;
    if (db.dialect === "sqlite") db.sqlite.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      const result = await runDb(REPO_ROOT, ["up", "--lock-timeout", "1"], { DATABASE_URL: url });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("lock");
      expect(performance.now() - started).toBeGreaterThan(900);
    } finally {
      if (db.dialect === "sqlite") db.sqlite.exec("ROLLBACK");
      await holder?.end();
    }
    expect(schemaShape(db, url)).toBe(before);
    expect(await readApplied(db)).toEqual([]);
  }, 30_000);

  // SQLite's lock is the transaction itself, which dies with its process by construction.
  if (dialect === "postgres")
    test("a killed migrator leaves no lock behind", async () => {
      const { url } = await fresh();
      const script = `import { getTableName } from "drizzle-orm";
import postgres from "postgres";
import { postgresTables } from "../../src/db/schema";
      const sql = postgres(process.env.DATABASE_URL);
      await sql\`select pg_advisory_lock(${POSTGRES_MIGRATION_LOCK})\`;
      console.log("locked");
      await new Promise(() => {});`;
      const holder = Bun.spawn([process.execPath, "-e", script], {
        cwd: REPO_ROOT,
        env: { ...process.env, DATABASE_URL: url },
        stdout: "pipe",
      });
      const reader = holder.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("locked");
      holder.kill("SIGKILL");
      await holder.exited;
      const result = await runDb(REPO_ROOT, ["up", "--lock-timeout", "10"], { DATABASE_URL: url });
      expect(result.exitCode).toBe(0);
    }, 30_000);

  // drizzle-kit migrate runs every pending migration in one transaction (docs/migrations.md): it
  // builds the migrations before the first one that must run outside a transaction, db up the rest.
  const outside = migrations.findIndex((migration) => migration.noTransaction.up);
  const drizzleCanRun = outside === -1 ? migrations.length : outside;

  test("drizzle-kit migrate, then db down base, then drizzle-kit migrate again", async () => {
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url };
    const drizzleKitMigrate = (root: string) =>
      Bun.spawnSync([join(REPO_ROOT, "node_modules/.bin/drizzle-kit"), "migrate"], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: url },
        stdin: "ignore",
      });
    // A copy whose journal ends where drizzle-kit can go.
    const project = copyProject();
    projects.push(project);
    const folder = join(project.root, "drizzle", dialect);
    const journal = readJournal(folder);
    journal.entries = journal.entries.slice(0, drizzleCanRun);
    writeFileSync(journalPath(folder), JSON.stringify(journal));
    if (outside !== -1) {
      // It exits 1 without a word (drizzle-kit 0.31) and rolls back all it ran.
      expect(drizzleKitMigrate(REPO_ROOT).exitCode).toBe(1);
      expect(await readApplied(db)).toEqual([]);
      expect(Object.keys(await rowCounts(db))).toEqual([]);
    }
    for (const round of ["first", "again"]) {
      expect(drizzleKitMigrate(project.root).exitCode).toBe(0);
      expect(await readApplied(db)).toHaveLength(drizzleCanRun);
      const up = await runDb(REPO_ROOT, ["up"], env);
      expect(up.exitCode).toBe(0);
      expect(await readApplied(db)).toHaveLength(migrations.length);
      if (round === "again") break;
      const down = await runDb(REPO_ROOT, ["down", "base"], env);
      expect(down.stderr).toBe("");
      expect(down.exitCode).toBe(0);
      expect(await readApplied(db)).toEqual([]);
    }
    const tableNames = Object.values(postgresTables).map((table) => getTableName(table));
    expect(Object.keys(await rowCounts(db)).sort()).toEqual(tableNames.sort());
    const check = await runDb(REPO_ROOT, ["check"], env);
    expect(check.exitCode).toBe(0);
  }, 60_000);

  test("an applied migration edited by one byte stops up, down and check, naming the file", async () => {
    const { project, db, url, env, first } = await migratedCopy();
    appendFileSync(join(project.root, "drizzle", dialect, `${first}.sql`), " ");
    const shape = schemaShape(db, url);
    for (const args of [["up"], ["down", "base"], ["check"]]) {
      const result = await runDb(project.root, args, env);
      expect(result.exitCode).toBe(1);
      expect(result.stdout + result.stderr).toContain(
        `${first}.sql was edited after it was applied`,
      );
    }
    expect(schemaShape(db, url)).toBe(shape);
  }, 30_000);

  test("a migration whose second statement fails leaves no trace and names the statement", async () => {
    const project = copyProject();
    projects.push(project);
    const folder = join(project.root, "drizzle", dialect);
    const journalFile = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8"));
    const last = journal.entries.at(-1);
    const index = last.idx + 1;
    const tag = `${String(index).padStart(4, "0")}_broken`;
    journal.entries.push({ ...last, idx: index, when: last.when + 1000, tag });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(
      join(folder, `${tag}.sql`),
      "CREATE TABLE half_done (id integer);\n--> statement-breakpoint\nALTER TABLE no_such_table ADD COLUMN x integer;\n",
    );
    writeFileSync(join(folder, `${tag}.down.sql`), "DROP TABLE half_done;\n");
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url };
    expect((await runDb(project.root, ["up", last.tag], env)).exitCode).toBe(0);
    const before = schemaShape(db, url);
    const result = await runDb(project.root, ["up"], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`up ${tag} failed at statement 2 (ALTER TABLE no_such_table`);
    expect(schemaShape(db, url)).toBe(before);
    expect((await readApplied(db)).map((row) => row.createdAt)).not.toContain(last.when + 1000);
  }, 30_000);

  test("check: a hand-edited down file passes; drift and a journal without its snapshot fail", async () => {
    const { project, db, env, first } = await migratedCopy();
    appendFileSync(
      join(project.root, "drizzle", dialect, `${first}.down.sql`),
      "\n-- reviewed by hand\n",
    );
    const clean = await runDb(project.root, ["check"], env);
    expect(clean.stdout).toContain("check passed");

    if (db.dialect === "postgres") await db.sql`alter table tenants add column plan text`;
    else db.sqlite.exec("alter table tenants add column plan text");
    const drifted = await runDb(project.root, ["check"], env);
    expect(drifted.exitCode).toBe(1);
    expect(drifted.stderr).toMatch(/drift/);

    rmSync(join(project.root, "drizzle", dialect, "meta", "0000_snapshot.json"));
    const broken = await runDb(project.root, ["check"], env);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toContain("0000_snapshot.json is missing for journal entry");
    const status = await runDb(project.root, ["status"], env);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain("0000_snapshot.json is missing");
  }, 30_000);
});
