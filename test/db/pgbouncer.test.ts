/**
 * The `db` commands and the migration lock through a pgbouncer in pool_mode=transaction, with and
 * without DATABASE_MIGRATION_URL, and the start-up probe that tells a transaction pooler apart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { cpSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { TEST_DATABASE_URL } from "../../scripts/harness";
import { type Pgbouncer, pgbouncerProblem, startPgbouncer } from "../../scripts/pgbouncer";
import { readApplied } from "../../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../../src/db/migrations/files";
import { POSTGRES_MIGRATION_LOCK } from "../../src/db/migrations/run-postgres";
import { probePreparedStatements } from "../../src/db/pooler";
import { IN_CI } from "../helpers/ci";
import { createEmptyDatabase, postgresProblem, type TestDatabase } from "../helpers/databases";
import { migrationFolderWith } from "../helpers/migration-folder";
import { copyProject, REPO_ROOT, runDb } from "../helpers/project";

const problem = postgresProblem ?? pgbouncerProblem();
if (problem !== null && !IN_CI)
  console.warn(`\n!!! SKIPPING the pgbouncer db tests: ${problem} !!!\n`);
const describeWithPgbouncer = problem === null || IN_CI ? describe : describe.skip;

const migrations = readMigrations(migrationsFolder("postgres"));
// Held by the test on a direct connection: a migration that takes it waits until the test lets go.
const GATE_LOCK = 4242;
const BREAK = "\n--> statement-breakpoint\n";

describeWithPgbouncer("db commands through pgbouncer (pool_mode=transaction)", () => {
  let bouncer: Pgbouncer;
  const opened: TestDatabase[] = [];
  const cleanups: { remove(): void }[] = [];

  beforeAll(async () => {
    if (problem !== null) throw new Error(`cannot run through pgbouncer: ${problem}`);
    bouncer = await startPgbouncer({ poolMode: "transaction" });
  });
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.drop();
    for (const cleanup of cleanups.splice(0)) cleanup.remove();
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  const fresh = async () => {
    const database = await createEmptyDatabase("postgres");
    opened.push(database);
    return { ...database, pooled: bouncer.url(new URL(database.url).pathname.slice(1)) };
  };
  /** Sessions holding the migration lock, seen on the server itself. */
  const migrationLocks = async (db: TestDatabase["db"]) => {
    if (db.dialect !== "postgres") throw new Error("PostgreSQL only");
    const [row] = await db.sql`select count(*)::int as held from pg_locks
      where locktype = 'advisory' and granted and objsubid = 1
        and ((classid::bigint << 32) | objid::bigint) = ${POSTGRES_MIGRATION_LOCK}`;
    return row?.held as number;
  };

  test("up, status, check, down base and up again through the pooler alone (the lock is transaction-scoped)", async () => {
    const { db, pooled } = await fresh();
    const env = { DATABASE_URL: pooled };
    const up = await runDb(REPO_ROOT, ["up"], env);
    expect(up.stderr).toBe("");
    expect(up.exitCode).toBe(0);
    const status = await runDb(REPO_ROOT, ["status"], env);
    expect(status.stdout).toContain(`database:  ${pooled}`);
    expect(status.stdout).toContain("pending:   none");
    const check = await runDb(REPO_ROOT, ["check"], env);
    expect(check.stdout).toContain("check passed");
    expect((await runDb(REPO_ROOT, ["down", "base"], env)).exitCode).toBe(0);
    expect(await readApplied(db)).toEqual([]);
    expect((await runDb(REPO_ROOT, ["up"], env)).exitCode).toBe(0);
    expect(await readApplied(db)).toHaveLength(migrations.length);
    expect(await migrationLocks(db)).toBe(0);
  }, 60_000);

  test("with DATABASE_MIGRATION_URL the commands connect there, not to DATABASE_URL", async () => {
    const { db, url, pooled } = await fresh();
    const env = { DATABASE_URL: pooled, DATABASE_MIGRATION_URL: url };
    const root = REPO_ROOT;
    expect((await runDb(root, ["up"], env)).exitCode).toBe(0);
    const status = await runDb(root, ["status"], env);
    expect(status.stdout).toContain(`database:  ${url}`);
    expect(status.stdout).toContain("pending:   none");
    expect((await runDb(root, ["check"], env)).stdout).toContain("check passed");
    expect((await runDb(root, ["down", "-1"], env)).exitCode).toBe(0);
    expect(await readApplied(db)).toHaveLength(migrations.length - 1);
    // Proof of where they went: with the pooler stopped, DATABASE_URL alone could not be reached.
    const nowhere = { DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" };
    expect((await runDb(root, ["up"], { ...nowhere, DATABASE_MIGRATION_URL: url })).exitCode).toBe(
      0,
    );
    expect(await readApplied(db)).toHaveLength(migrations.length);
  }, 60_000);

  test("three migrators at once through the pooler: each migration applied exactly once", async () => {
    const { db, pooled } = await fresh();
    const root = REPO_ROOT;
    const results = await Promise.all(
      [1, 2, 3].map(() => runDb(root, ["up"], { DATABASE_URL: pooled })),
    );
    for (const result of results) expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect((await readApplied(db)).map((row) => row.createdAt)).toEqual(
      migrations.map((migration) => migration.createdAt),
    );
  }, 60_000);

  /** A copy of the project whose last migration waits for GATE_LOCK, which the test holds. */
  const projectWithGatedMigration = (noTransaction: boolean) => {
    const project = copyProject();
    cleanups.push(project);
    const extra = migrationFolderWith("postgres", [
      {
        name: "gated",
        up: `${noTransaction ? "-- migrate:no-transaction\n" : ""}select pg_advisory_lock(${GATE_LOCK});${BREAK}select pg_advisory_unlock(${GATE_LOCK});${BREAK}create table gated (id integer);\n`,
        down: "drop table gated;\n",
      },
    ]);
    cleanups.push(extra);
    cpSync(extra.folder, join(project.root, "drizzle", "postgres"), { recursive: true });
    return project.root;
  };
  const spawnDb = (root: string, args: string[], env: Record<string, string>) =>
    Bun.spawn([process.execPath, join(root, "src/cli/db.ts"), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdout: "ignore",
      stderr: "ignore",
    });

  test("a second migrator waits for the first one's lock, held through the pooler, then finds nothing to do", async () => {
    const { db, url, pooled } = await fresh();
    const root = projectWithGatedMigration(true);
    const gate = postgres(url, { max: 1, onnotice: () => {} });
    await gate`select pg_advisory_lock(${GATE_LOCK})`;
    try {
      const first = spawnDb(root, ["up"], { DATABASE_URL: pooled });
      await until(async () => (await migrationLocks(db)) === 1, "the first migrator took the lock");
      const second = await runDb(root, ["up", "--lock-timeout", "1"], { DATABASE_URL: pooled });
      expect(second.exitCode).toBe(1);
      expect(second.stderr).toContain("another migrator held the migration lock for 1000 ms");
      await gate`select pg_advisory_unlock(${GATE_LOCK})`;
      expect(await first.exited).toBe(0);
      const third = await runDb(root, ["up", "--lock-timeout", "5"], { DATABASE_URL: pooled });
      expect(third.stdout).toContain("nothing to do");
      expect(await migrationLocks(db)).toBe(0);
    } finally {
      await gate.end();
    }
  }, 60_000);

  test("a migrator killed while it holds the lock through the pooler leaves no lock behind", async () => {
    const { db, url, pooled } = await fresh();
    const root = projectWithGatedMigration(false);
    const gate = postgres(url, { max: 1, onnotice: () => {} });
    await gate`select pg_advisory_lock(${GATE_LOCK})`;
    try {
      const migrator = spawnDb(root, ["up"], { DATABASE_URL: pooled });
      await until(async () => (await migrationLocks(db)) === 1, "the migrator took the lock");
      migrator.kill("SIGKILL");
      await migrator.exited;
      // pgbouncer closes the server connection of a client gone mid-transaction: the lock ends.
      await until(async () => (await migrationLocks(db)) === 0, "the lock was released");
    } finally {
      // The killed migration's own statement still waits for the gate; letting go ends it.
      await gate`select pg_advisory_unlock(${GATE_LOCK})`;
      await gate.end();
    }
    const again = await runDb(root, ["up", "--lock-timeout", "10"], { DATABASE_URL: pooled });
    expect(again.stderr).toBe("");
    expect(again.exitCode).toBe(0);
    expect(await readApplied(db)).toHaveLength(migrations.length + 1);
  }, 60_000);
});

describeWithPgbouncer("telling a transaction pooler apart (start-up probe)", () => {
  const bouncers: Pgbouncer[] = [];
  afterAll(async () => {
    for (const bouncer of bouncers) await bouncer.stop();
  });
  const database = new URL(TEST_DATABASE_URL).pathname.slice(1);

  test("direct: direct; session pooling: not a transaction pooler; transaction pooling: prepared statements fail", async () => {
    if (problem !== null) throw new Error(`cannot run through pgbouncer: ${problem}`);
    const transaction = await startPgbouncer({ poolMode: "transaction" });
    bouncers.push(transaction);
    const session = await startPgbouncer({ poolMode: "session" });
    bouncers.push(session);
    expect(await probePreparedStatements(transaction.url(database))).toBe("pooled-without-prepare");
    expect(await probePreparedStatements(session.url(database))).toBe("direct");
    expect(await probePreparedStatements(TEST_DATABASE_URL)).toBe("direct");
  }, 30_000);
});

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(50);
  }
}
