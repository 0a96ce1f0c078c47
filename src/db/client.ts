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
import { clientOptions, copyTypeHandling } from "./postgres-options";
import { openReadReplicas, type ReadReplicas } from "./read-replicas";
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
  | (DatabaseBase & { dialect: "postgres"; sql: Sql; replicas?: ReadReplicas })
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
  /** Standbys that serve reads (DATABASE_READ_URL): see read-replicas.ts. */
  readReplicas?: { urls: readonly string[]; maxLagMs: number; probeIntervalMs?: number };
  /** Named prepared statements (default true); false behind a transaction pooler. */
  prepare?: boolean;
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
  const readConnections = options.readConnections ?? 2;
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 5_000;
  const prepare = options.prepare ?? true;
  const sql = postgres(url, { ...clientOptions(prepare), max: poolSize });
  const reads = postgres(url, { ...clientOptions(prepare), max: readConnections });
  const gated = gatePool(sql, reads, poolSize, acquireTimeoutMs, options.poolUsage);
  const replicas =
    options.readReplicas &&
    openReadReplicas(gated, reads, {
      ...options.readReplicas,
      readConnections,
      acquireTimeoutMs,
      prepare,
    });
  const client = replicas?.client ?? gated;
  const orm = drizzlePostgres(
    options.watchQuery ? observePostgres(client, options.watchQuery) : client,
    {
      logger: options.queryLogger,
    },
  );
  copyTypeHandling(sql, reads);
  replicas?.copyTypeHandling(sql);
  return {
    dialect: "postgres",
    sql,
    ...(replicas && { replicas }),
    orm,
    tables: postgresTables,
    description: describeDatabase({ dialect: "postgres", url }),
    // Both pools: a read pool stuck behind a reply that never comes must not pass for ready.
    // Both settle before a failure is reported, so that a close() after it finds none in flight.
    ping: async () => {
      const [write, read] = await Promise.allSettled([sql`select 1`, reads`select 1`]);
      for (const outcome of [write, read]) if (outcome.status === "rejected") throw outcome.reason;
    },
    close: async () => {
      await replicas?.close();
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
