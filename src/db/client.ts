import { Database as BunSqlite } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "drizzle-orm";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import { type DatabaseConfig, describeDatabase } from "../config";
import { assertUnreachable } from "../lib/assert";
import type { D1BackedDatabase } from "./client-edge";
import { observePostgres, observeSqlite, type QueryWatch } from "./observer";
import { gatePool, type PoolUsage } from "./pool-gate";
import { copyTypeHandling, POSTGRES_OPTIONS } from "./postgres-options";
import { postgresTables, sqliteTables } from "./schema";

/**
 * Services are written once, against the PostgreSQL query builder's types. At run time the SQLite
 * builder takes its place: both have the same surface for the queries we use (select, insert,
 * update and delete with returning), and the schema parity test keeps the tables' columns and
 * types in step. Tests run every query on both dialects.
 */
export type Orm = PostgresJsDatabase<Record<string, never>>;
export type Tables = typeof postgresTables;

export interface DatabaseBase {
  orm: Orm;
  tables: Tables;
  /** The database's location, with any password masked. */
  description: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Database =
  | (DatabaseBase & { dialect: "postgres"; sql: Sql })
  | (DatabaseBase & { dialect: "sqlite"; sqlite: BunSqlite });

/** What the HTTP app runs on: a database opened here, or a D1 binding on Workers (client-edge.ts). */
export type AppDatabase = Database | D1BackedDatabase;

interface PostgresOptions {
  /** Connections of the write pool, one query at a time each. */
  poolSize?: number;
  /** Connections of the read pool, where postgres.js pipelines the reads. */
  readConnections?: number;
  /** How long a query waits for a free connection before it fails (answered 503). */
  acquireTimeoutMs?: number;
}

export interface OpenOptions extends PostgresOptions {
  /** Sees every statement the query builder sends; tests record them (tenant-scoped-sql.test.ts). */
  queryLogger?: Logger;
  /** Times every query the query builder runs (metrics and trace spans: src/db/observer.ts). */
  watchQuery?: QueryWatch;
  /** Kept up to date with the PostgreSQL pools' use (metrics). */
  poolUsage?: PoolUsage;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  switch (config.dialect) {
    case "postgres":
      return openPostgres(config.url, options);
    case "sqlite":
      return openSqlite(config.path, options);
    default:
      return assertUnreachable(config);
  }
}

function openPostgres(url: string, options: OpenOptions): Database {
  const poolSize = options.poolSize ?? 10;
  const sql = postgres(url, { ...POSTGRES_OPTIONS, max: poolSize });
  const reads = postgres(url, { ...POSTGRES_OPTIONS, max: options.readConnections ?? 2 });
  const gated = gatePool(
    sql,
    reads,
    poolSize,
    options.acquireTimeoutMs ?? 5_000,
    options.poolUsage,
  );
  const client = options.watchQuery ? observePostgres(gated, options.watchQuery) : gated;
  const orm = drizzlePostgres(client, { logger: options.queryLogger });
  copyTypeHandling(sql, reads);
  return {
    dialect: "postgres",
    sql,
    orm,
    tables: postgresTables,
    description: describeDatabase({ dialect: "postgres", url }),
    ping: async () => {
      await sql`select 1`;
    },
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), reads.end({ timeout: 5 })]);
    },
  };
}

/**
 * drizzle compiles every SQLite query anew with prepare(); bun:sqlite's query() keeps compiled
 * statements by their SQL text. drizzle never finalizes a statement, so the cached ones serve.
 */
function withStatementCache(sqlite: BunSqlite): BunSqlite {
  return new Proxy(sqlite, {
    get: (target, property) => {
      if (property === "prepare") return (sql: string) => target.query(sql);
      const value: unknown = Reflect.get(target, property, target);
      // Native methods must run on the real Database, not on the proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function openSqlite(path: string, { queryLogger, watchQuery }: OpenOptions): Database {
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BunSqlite(path, { create: true, strict: true });
  // The busy timeout first: switching to WAL must wait, not fail, while another process writes.
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  return {
    dialect: "sqlite",
    sqlite,
    // See Orm above for why the SQLite builder stands in for the PostgreSQL one.
    orm: drizzleSqlite(
      watchQuery
        ? observeSqlite(withStatementCache(sqlite), watchQuery)
        : withStatementCache(sqlite),
      { logger: queryLogger },
    ) as unknown as Orm,
    tables: sqliteTables as unknown as Tables,
    description: describeDatabase({ dialect: "sqlite", path }),
    ping: async () => {
      sqlite.query("select 1").get();
    },
    close: async () => {
      sqlite.close();
    },
  };
}
