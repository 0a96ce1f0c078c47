import type { Database as BunSqlite } from "bun:sqlite";
import type postgres from "postgres";
import type { AppDatabase } from "../client";
import type { MigrationFile } from "./files";
import type { Direction } from "./plan";

/**
 * A migration that started outside a transaction and did not finish: the database holds part of
 * it. The row is written before its first statement and removed with its bookkeeping row, so a
 * killed migrator leaves one behind too. `up` and `down` refuse to run until `db resolve`.
 */
export interface IncompleteMigration {
  tag: string;
  createdAt: number;
  direction: Direction;
  /** The statement that failed or was running, 1-based. */
  statementNumber: number;
  statementCount: number;
  statement: string | null;
  /** null when the migrator stopped without reporting (killed, connection lost). */
  error: string | null;
  startedAt: Date;
}

const COLUMNS = `created_at bigint primary key, tag text not null, direction text not null,
  statement_number integer not null, statement_count integer not null, statement text,
  error text, started_at bigint not null`;
export const SQLITE_FAILURES_TABLE = "__migration_failures";
const POSTGRES_TABLE = `drizzle.${SQLITE_FAILURES_TABLE}`;

interface FailureRow {
  tag: string;
  created_at: string | number;
  direction: Direction;
  statement_number: number;
  statement_count: number;
  statement: string | null;
  error: string | null;
  started_at: string | number;
}

const fromRow = (row: FailureRow): IncompleteMigration => ({
  tag: row.tag,
  createdAt: Number(row.created_at),
  direction: row.direction,
  statementNumber: row.statement_number,
  statementCount: row.statement_count,
  statement: row.statement,
  error: row.error,
  startedAt: new Date(Number(row.started_at)),
});

export async function readIncomplete(db: AppDatabase): Promise<IncompleteMigration[]> {
  if (db.dialect === "postgres") {
    const [exists] = await db.sql`select to_regclass(${POSTGRES_TABLE}) as name`;
    if (exists?.name == null) return [];
    const rows = await db.sql.unsafe<FailureRow[]>(
      `select * from ${POSTGRES_TABLE} order by created_at`,
    );
    return rows.map(fromRow);
  }
  if ("d1" in db) return [];
  return readIncompleteSqlite(db.sqlite);
}

export function readIncompleteSqlite(sqlite: BunSqlite): IncompleteMigration[] {
  const exists = sqlite
    .query("select 1 from sqlite_master where type = 'table' and name = ?")
    .get(SQLITE_FAILURES_TABLE);
  if (exists === null) return [];
  return sqlite
    .query<FailureRow, []>(`select * from ${SQLITE_FAILURES_TABLE} order by created_at`)
    .all()
    .map(fromRow);
}

/** One line for status, errors and the refusal of `up`. */
export function describeIncomplete(failure: IncompleteMigration): string {
  const what =
    failure.error === null
      ? "did not finish (still running, or its migrator stopped without reporting)"
      : "failed";
  const excerpt = failure.statement?.replace(/\s+/g, " ").slice(0, 160) ?? "";
  const reason = failure.error === null ? "" : `: ${failure.error}`;
  return (
    `${failure.tag} ${what} going ${failure.direction} outside a transaction at statement ` +
    `${failure.statementNumber} of ${failure.statementCount} (${excerpt})${reason}; the statements ` +
    "before it took effect"
  );
}

/** What a non-transactional run records as it goes, once its incomplete mark is written. */
export interface FailureLog {
  progress(migration: MigrationFile, number: number, statement: string): Promise<void>;
  fail(migration: MigrationFile, error: string): Promise<void>;
}

type PostgresConnection = postgres.Sql | postgres.ReservedSql | postgres.TransactionSql;

const INSERT_COLUMNS =
  "(created_at, tag, direction, statement_number, statement_count, started_at)";

/** The incomplete mark, written before the first statement of a non-transactional run. */
export async function markIncompletePostgres(
  connection: PostgresConnection,
  migration: MigrationFile,
  direction: Direction,
  statementCount: number,
): Promise<void> {
  await connection.unsafe(`create table if not exists ${POSTGRES_TABLE} (${COLUMNS})`);
  await connection.unsafe(
    `insert into ${POSTGRES_TABLE} ${INSERT_COLUMNS} values ($1, $2, $3, 0, $4, $5)`,
    [migration.createdAt, migration.tag, direction, statementCount, Date.now()],
  );
}

export function postgresFailureLog(connection: PostgresConnection): FailureLog {
  return {
    async progress(migration, number, statement) {
      await connection.unsafe(
        `update ${POSTGRES_TABLE} set statement_number = $1, statement = $2 where created_at = $3`,
        [number, statement, migration.createdAt],
      );
    },
    async fail(migration, error) {
      await connection.unsafe(`update ${POSTGRES_TABLE} set error = $1 where created_at = $2`, [
        error,
        migration.createdAt,
      ]);
    },
  };
}

export async function clearIncompletePostgres(
  connection: PostgresConnection,
  createdAt: number,
): Promise<void> {
  const [exists] = await connection`select to_regclass(${POSTGRES_TABLE}) as name`;
  if (exists?.name == null) return;
  await connection.unsafe(`delete from ${POSTGRES_TABLE} where created_at = $1`, [createdAt]);
}

export function markIncompleteSqlite(
  sqlite: BunSqlite,
  migration: MigrationFile,
  direction: Direction,
  statementCount: number,
): void {
  sqlite.exec(`create table if not exists ${SQLITE_FAILURES_TABLE} (${COLUMNS})`);
  sqlite
    .query(`insert into ${SQLITE_FAILURES_TABLE} ${INSERT_COLUMNS} values (?, ?, ?, 0, ?, ?)`)
    .run(migration.createdAt, migration.tag, direction, statementCount, Date.now());
}

export function sqliteFailureLog(sqlite: BunSqlite): FailureLog {
  return {
    async progress(migration, number, statement) {
      sqlite
        .query(
          `update ${SQLITE_FAILURES_TABLE} set statement_number = ?, statement = ? where created_at = ?`,
        )
        .run(number, statement, migration.createdAt);
    },
    async fail(migration, error) {
      sqlite
        .query(`update ${SQLITE_FAILURES_TABLE} set error = ? where created_at = ?`)
        .run(error, migration.createdAt);
    },
  };
}

export function clearIncompleteSqlite(sqlite: BunSqlite, createdAt: number): void {
  if (readIncompleteSqlite(sqlite).length === 0) return;
  sqlite.query(`delete from ${SQLITE_FAILURES_TABLE} where created_at = ?`).run(createdAt);
}
