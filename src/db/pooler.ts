/**
 * Named prepared statements behind a transaction pooler. pgbouncer in pool_mode=transaction
 * (before 1.21, or without max_prepared_statements), Supabase's pooler on port 6543 and the like
 * hand a server connection from client to client between transactions: a statement prepared on
 * one server connection is missing on the next, and answers `prepared statement "…" does not
 * exist` (SQLSTATE 26000). DATABASE_PREPARE=false sends unnamed statements, which work there.
 */
import postgres from "postgres";
import { PREPARED_STATEMENT_MISSING } from "./errors";
import { clientOptions } from "./postgres-options";

export type PreparedStatementSupport = "direct" | "pooled" | "pooled-without-prepare";

// postgres.js sets `retried` on a query it ran again after its prepared statement was missing.
type RetriedQuery = { retried?: { code?: unknown } };

/**
 * Finds out, with two connections of its own, whether `url` is a pooler that shares server
 * connections between clients, and whether named prepared statements survive it:
 * 1. the first client prepares and runs a statement, on some server connection S;
 * 2. the second client opens a transaction: a transaction pooler gives it S, now idle, and keeps
 *    it while the transaction is open. A direct connection, or a pooler in session mode, never
 *    shows the second client the first one's server process;
 * 3. then the first client runs its statement again, necessarily on another server connection.
 * When S went elsewhere, nothing is proven and the answer is "direct".
 */
export async function probePreparedStatements(url: string): Promise<PreparedStatementSupport> {
  const sql = postgres(url, { ...clientOptions(true), max: 2 });
  try {
    const first = await sql.reserve();
    const second = await sql.reserve();
    let open = false;
    try {
      const probe = () => first`select pg_backend_pid() as pid, ${1}::int as probe`;
      const [prepared] = await probe();
      await second.unsafe("begin").simple();
      open = true;
      const [held] = await second.unsafe("select pg_backend_pid() as pid").simple();
      if (prepared?.pid !== held?.pid) return "direct";
      const again = probe();
      await again;
      const retried = (again as unknown as RetriedQuery).retried;
      return retried?.code === PREPARED_STATEMENT_MISSING ? "pooled-without-prepare" : "pooled";
    } finally {
      if (open) await second.unsafe("rollback").simple();
      first.release();
      second.release();
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}
