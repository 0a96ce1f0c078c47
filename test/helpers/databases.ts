import { afterAll, beforeAll, describe, test } from "bun:test";
import postgres from "postgres";
import { freshDatabase, TEST_DATABASE_URL } from "../../scripts/harness";
import { pgbouncerProblem, startPgbouncer } from "../../scripts/pgbouncer";
import { type Dialect, parseDatabaseUrl } from "../../src/config";
import { type Database, openDatabase } from "../../src/db/client";
import { migrateUp } from "../../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../../src/db/migrations/files";
import { IN_CI } from "./ci";

async function probePostgres(): Promise<string | null> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Why PostgreSQL cannot be used, or null when it can. */
export const postgresProblem = await probePostgres();
let warned = false;

export interface TestDatabase {
  db: Database;
  /** The URL or file the database lives at, for a second connection or a child process. */
  url: string;
  /** Whether a second connection to `url` may use named prepared statements (DATABASE_PREPARE). */
  prepare: boolean;
  drop(): Promise<void>;
}

/** A new, empty database of its own: a temp SQLite file, or a new PostgreSQL database. */
export async function createEmptyDatabase(dialect: Dialect): Promise<TestDatabase> {
  const { url, drop } = await freshDatabase(dialect, "test");
  const db = openDatabase(parseDatabaseUrl(url));
  return {
    db,
    url,
    prepare: true,
    drop: async () => {
      await db.close();
      await drop();
    },
  };
}

/** A new database with every migration applied. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const testDb = await createEmptyDatabase(dialect);
  await migrateUp(testDb.db, readMigrations(migrationsFolder(dialect)));
  return testDb;
}

export const DIALECTS: readonly Dialect[] = ["sqlite", "postgres"];

/**
 * Runs the same suite once per dialect, each against a fresh database of its own. Without
 * PostgreSQL the PostgreSQL half is skipped with one loud line, or fails when CI is set.
 */
export function describeEachDialect(
  name: string,
  suite: (database: () => TestDatabase, dialect: Dialect) => void,
): void {
  for (const dialect of DIALECTS) {
    describeOn(`${name} [${dialect}]`, dialect, postgresProblem, createTestDatabase, suite);
  }
}

/**
 * describeEachDialect, and a third time on PostgreSQL through a pgbouncer in
 * pool_mode=transaction that the suite starts, with DATABASE_PREPARE=false as
 * docs/scaling.md tells: the database is made and migrated directly, the app's connections go
 * through the pooler. Without pgbouncer that third run is skipped loudly, or fails in CI.
 */
export function describeEachDialectAndPgbouncer(
  name: string,
  suite: (database: () => TestDatabase, dialect: Dialect) => void,
): void {
  describeEachDialect(name, suite);
  const problem = postgresProblem ?? pgbouncerProblem();
  describeOn(
    `${name} [postgres through pgbouncer]`,
    "postgres",
    problem,
    pooledTestDatabase,
    suite,
  );
}

/** A migrated database whose `db` and `url` lead through a pgbouncer of its own. */
async function pooledTestDatabase(): Promise<TestDatabase> {
  const bouncer = await startPgbouncer({ poolMode: "transaction" });
  const direct = await createTestDatabase("postgres");
  const url = bouncer.url(new URL(direct.url).pathname.slice(1));
  const db = openDatabase(parseDatabaseUrl(url), { prepare: false });
  return {
    db,
    url,
    prepare: false,
    drop: async () => {
      await db.close();
      await bouncer.stop();
      await direct.drop();
    },
  };
}

function describeOn(
  title: string,
  dialect: Dialect,
  problem: string | null,
  create: (dialect: Dialect) => Promise<TestDatabase>,
  suite: (database: () => TestDatabase, dialect: Dialect) => void,
): void {
  if (dialect === "postgres" && problem !== null) {
    if (IN_CI) {
      describe(title, () => {
        test("PostgreSQL (and pgbouncer where asked) is there", () => {
          throw new Error(`cannot run on PostgreSQL at ${TEST_DATABASE_URL}: ${problem}`);
        });
      });
      return;
    }
    if (!warned) {
      warned = true;
      console.warn(
        `\n!!! Cannot run on PostgreSQL at ${TEST_DATABASE_URL} (${problem}): ` +
          "SKIPPING those tests. Set TEST_DATABASE_URL, start PostgreSQL, install pgbouncer. !!!\n",
      );
    }
    describe.skip(title, () => suite(() => unavailable(), dialect));
    return;
  }
  describe(title, () => {
    let testDb: TestDatabase | undefined;
    beforeAll(async () => {
      testDb = await create(dialect);
    });
    afterAll(async () => {
      await testDb?.drop();
    });
    suite(() => testDb ?? unavailable(), dialect);
  });
}

function unavailable(): never {
  throw new Error("the test database is not set up");
}
