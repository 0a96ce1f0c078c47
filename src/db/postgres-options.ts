import type { Sql } from "postgres";

/**
 * What every postgres.js client of the app sets, on Bun and on Workers. `prepare: false` sends
 * each query as an unnamed statement: a transaction pooler may run the next query on another
 * server connection, where a named statement prepared earlier does not exist (DATABASE_PREPARE).
 */
export function clientOptions(prepare: boolean) {
  return {
    // Seconds: a database that does not answer becomes a 503 within 2 s, not a hung request.
    connect_timeout: 1.5,
    onnotice: () => {},
    prepare,
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
