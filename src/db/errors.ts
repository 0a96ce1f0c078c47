import { DrizzleQueryError } from "drizzle-orm";

/** What a failed query means to the API, whatever the driver. */
export type DatabaseFailure =
  | { kind: "unique"; table: string; columns: string[] }
  | { kind: "foreign_key" }
  | { kind: "check"; constraint: string }
  | { kind: "not_null"; column: string }
  | { kind: "unstorable_text" }
  | { kind: "unavailable" };

interface DriverError {
  code?: unknown;
  message?: unknown;
  constraint_name?: unknown;
  table_name?: unknown;
  column_name?: unknown;
}

// postgres.js connection failures, and the server-side states in which a retry later may succeed.
const POSTGRES_UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "POOL_TIMEOUT", // ours: no connection became free in time
  "25006", // read_only_sql_transaction: a standby, or a primary promoted a moment ago
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

// D1 reports SQLite's codes only inside its message, e.g. "D1_ERROR: UNIQUE constraint failed:
// tenants.slug: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)".
const D1_MESSAGE = /^(?:D1_ERROR: )?(.*): (SQLITE_[A-Z_]+)(?: \(extended: (SQLITE_[A-Z_]+)\))?$/s;

// Workers' sockets (cloudflare:sockets, under postgres.js) refuse a connection with no error code.
const WORKERS_CONNECT_FAILURE = "cannot connect to the specified address";

function driverErrorOf(error: unknown): DriverError | undefined {
  let current = error;
  // drizzle wraps driver errors in DrizzleQueryError, with the driver's error as its cause.
  while (current instanceof DrizzleQueryError && current.cause !== undefined) {
    current = current.cause;
  }
  return typeof current === "object" && current !== null ? (current as DriverError) : undefined;
}

/**
 * Maps a query failure to what the API can tell a client about it, or undefined for anything
 * that is a bug of ours. `uniqueColumns` names the columns of a PostgreSQL unique constraint,
 * which the error reports only by name.
 */
export function classifyDatabaseError(
  error: unknown,
  uniqueColumns: (constraint: string) => string[] | undefined,
): DatabaseFailure | undefined {
  const driverError = driverErrorOf(error);
  if (driverError === undefined) return undefined;
  const code = typeof driverError.code === "string" ? driverError.code : "";
  const message = typeof driverError.message === "string" ? driverError.message : "";

  if (code.startsWith("SQLITE_")) return classifySqlite(code, message);
  const d1 = code === "" ? message.match(D1_MESSAGE) : null;
  if (d1) return classifySqlite(d1[3] ?? d1[2] ?? "", d1[1] ?? "");

  if (POSTGRES_UNAVAILABLE_CODES.has(code)) return { kind: "unavailable" };
  if (code === "" && message.includes(WORKERS_CONNECT_FAILURE)) return { kind: "unavailable" };
  const constraint = String(driverError.constraint_name ?? "");
  switch (code) {
    case "23505":
      return {
        kind: "unique",
        table: String(driverError.table_name ?? ""),
        columns: uniqueColumns(constraint) ?? [],
      };
    case "23503":
      return { kind: "foreign_key" };
    case "23514":
      return { kind: "check", constraint };
    case "22021": // character_not_in_repertoire, e.g. NUL in text
    case "22P05": // untranslatable_character
      return { kind: "unstorable_text" };
    case "23502":
      return { kind: "not_null", column: String(driverError.column_name ?? "") };
    default:
      return undefined;
  }
}

function classifySqlite(code: string, message: string): DatabaseFailure | undefined {
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return { kind: "unavailable" };
  }
  // e.g. "UNIQUE constraint failed: users.tenant_id, users.email"
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const qualified = message.split("constraint failed:")[1]?.split(",") ?? [];
    const pairs = qualified.map((item) => item.trim().split("."));
    return {
      kind: "unique",
      table: pairs[0]?.[0] ?? "",
      columns: pairs.map((pair) => pair[1] ?? "").filter((column) => column !== ""),
    };
  }
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return { kind: "foreign_key" };
  if (code === "SQLITE_CONSTRAINT_CHECK") {
    return { kind: "check", constraint: message.split("constraint failed:")[1]?.trim() ?? "" };
  }
  if (code === "SQLITE_CONSTRAINT_NOTNULL") {
    return { kind: "not_null", column: message.split(".").pop()?.trim() ?? "" };
  }
  return undefined;
}

/**
 * Behind a transaction pooler that does not keep prepared statements (pgbouncer in
 * pool_mode=transaction before 1.21, Supabase's port 6543, …), a named statement prepared on one
 * server connection is missing on the next. Not a failure a retry cures: a mistake of the
 * configuration, logged with this hint.
 */
export const PREPARE_HINT =
  "DATABASE_URL leads through a transaction pooler that does not keep prepared statements: set DATABASE_PREPARE=false (docs/scaling.md#behind-a-transaction-pooler)";

/** SQLSTATE invalid_sql_statement_name: a named prepared statement the server does not have. */
export const PREPARED_STATEMENT_MISSING = "26000";

/** Whether a query failed because its named prepared statement was missing on the server. */
export function isMissingPreparedStatement(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === PREPARED_STATEMENT_MISSING) return true;
  }
  return false;
}
