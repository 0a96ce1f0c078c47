import { afterAll, beforeAll, describe, test } from "bun:test";
import postgres from "postgres";
import { freshDatabase, TEST_DATABASE_URL } from "../../scripts/harness";
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
  drop(): Promise<void>;
}

/** A new, empty database of its own: a temp SQLite file, or a new PostgreSQL database. */
export async function createEmptyDatabase(dialect: Dialect): Promise<TestDatabase> {
  const { url, drop } = await freshDatabase(dialect, "test");
  const db = openDatabase(parseDatabaseUrl(url));
  return {
    db,
    url,
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
    const title = `${name} [${dialect}]`;
    if (dialect === "postgres" && postgresProblem !== null) {
      if (IN_CI) {
        describe(title, () => {
          test("PostgreSQL is reachable", () => {
            throw new Error(
              `PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${postgresProblem}`,
            );
          });
        });
        continue;
      }
      if (!warned) {
        warned = true;
        console.warn(
          `\n!!! PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${postgresProblem}): ` +
            "SKIPPING every PostgreSQL test. Set TEST_DATABASE_URL or start PostgreSQL. !!!\n",
        );
      }
      describe.skip(title, () => suite(() => unavailable(), dialect));
      continue;
    }
    describe(title, () => {
      let testDb: TestDatabase | undefined;
      beforeAll(async () => {
        testDb = await createTestDatabase(dialect);
      });
      afterAll(async () => {
        await testDb?.drop();
      });
      suite(() => testDb ?? unavailable(), dialect);
    });
  }
}

function unavailable(): never {
  throw new Error("the test database is not set up");
}
