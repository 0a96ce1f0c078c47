/**
 * The databases of the Workers entry (src/worker.ts): a D1 binding, or PostgreSQL through
 * postgres.js over `cloudflare:sockets`. Nothing here may load bun:sqlite or touch files.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { D1Database, ExecutionContext } from "@cloudflare/workers-types";
import { drizzle as drizzleD1 } from "drizzle-orm/d1";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres, { type Options, type Sql } from "postgres";
import { describeDatabase } from "../config";
import type { Database, DatabaseBase, Orm, Tables } from "./client";
import { observeD1, observePostgres, type QueryWatch } from "./observer";
import { clientOptions, copyTypeHandling } from "./postgres-options";
import { postgresTables, sqliteTables } from "./schema";

export type D1BackedDatabase = DatabaseBase & { dialect: "sqlite"; d1: D1Database };
type PostgresDatabase = Extract<Database, { dialect: "postgres" }>;

export interface EdgeDatabase {
  db: D1BackedDatabase | PostgresDatabase;
  /** Runs one request's work; a connection it opened is closed once its response is made. */
  serve(context: ExecutionContext, handle: () => Promise<Response>): Promise<Response>;
}

export function openD1(binding: D1Database, watchQuery?: QueryWatch): EdgeDatabase {
  const db: D1BackedDatabase = {
    dialect: "sqlite",
    d1: binding,
    // See Orm in client.ts for why the SQLite builder stands in for the PostgreSQL one.
    orm: drizzleD1(watchQuery ? observeD1(binding, watchQuery) : binding) as unknown as Orm,
    tables: sqliteTables as unknown as Tables,
    description: "D1 binding DB",
    ping: async () => {
      await binding.prepare("select 1").first();
    },
    // A binding has nothing to close.
    close: async () => {},
  };
  return { db, serve: (_context, handle) => handle() };
}

const edgeOptions = (prepare: boolean) =>
  ({
    ...clientOptions(prepare),
    // A Worker cannot use one socket for two requests, so each request has one connection of its
    // own, on which postgres.js pipelines that request's queries.
    max: 1,
    // The schema has no array columns: skip the type lookup that would cost every request a round trip.
    fetch_types: false,
  }) satisfies Options<Record<string, never>>;

/**
 * PostgreSQL on Workers. An I/O object such as a socket belongs to the request that opened it:
 * a second request using it fails ("Cannot perform I/O on behalf of a different request"). So
 * the app, built once per isolate, holds a client that hands each query to the connection of
 * the request it runs for, opened on that request's first query and closed after its response.
 */
export function openPostgresPerRequest(
  url: string,
  prepare = true,
  watchQuery?: QueryWatch,
): EdgeDatabase {
  const requests = new AsyncLocalStorage<{ sql?: Sql }>();
  const options = edgeOptions(prepare);
  // Never connects: drizzle sets its type parsers on it, and each request's client copies them.
  const template = postgres(url, options);
  const connect = () => {
    const sql = postgres(url, options);
    copyTypeHandling(template, sql);
    return sql;
  };
  const current = (): Sql => {
    const request = requests.getStore();
    if (request === undefined) {
      throw new Error("PostgreSQL was queried outside a request: Workers tie connections to one");
    }
    request.sql ??= connect();
    return request.sql;
  };
  const routed = new Proxy(template, {
    apply: (_target, thisArgument, args) => Reflect.apply(current(), thisArgument, args),
    get: (target, property) =>
      property === "options" ? target.options : Reflect.get(current(), property),
  });
  const db: PostgresDatabase = {
    dialect: "postgres",
    sql: routed,
    orm: drizzlePostgres(watchQuery ? observePostgres(routed, watchQuery) : routed),
    tables: postgresTables,
    description: describeDatabase({ dialect: "postgres", url }),
    ping: async () => {
      await routed`select 1`;
    },
    close: () => template.end(),
  };
  return {
    db,
    serve: (context, handle) => {
      const request: { sql?: Sql } = {};
      return requests.run(request, async () => {
        try {
          return await handle();
        } finally {
          if (request.sql !== undefined) context.waitUntil(request.sql.end({ timeout: 5 }));
        }
      });
    },
  };
}
