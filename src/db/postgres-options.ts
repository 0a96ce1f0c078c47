import type { Sql } from "postgres";

/**
 * What every postgres.js client of the app sets, on Bun and on Workers. Without `prepare`
 * (DATABASE_PREPARE=false, for a transaction pooler) each query is an unnamed statement, and
 * none is pipelined behind another on a connection: a pooler that lends a server connection per
 * transaction (pgbouncer before 1.21) may hand the queries written after one to a server
 * connection it has already released, whose replies never come back (seen as `db status` hanging
 * through pgbouncer 1.18). A named statement prepared earlier may not exist on the next server
 * connection at all.
 */
export function clientOptions(prepare: boolean) {
  return {
    // Seconds: a database that does not answer becomes a 503 within 2 s, not a hung request.
    connect_timeout: 1.5,
    onnotice: () => {},
    prepare,
    ...(prepare ? {} : { max_pipeline: 0 }),
  } as const;
}

/**
 * drizzle sets its type parsers and serializers (dates as text, …) on the one client it is given;
 * another client that runs its queries needs the same.
 */
export function copyTypeHandling(from: Sql, to: Sql): void {
  Object.assign(to.options.parsers, from.options.parsers);
  Object.assign(to.options.serializers, from.options.serializers);
}
