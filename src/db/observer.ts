/**
 * Sees every query the app's query builder runs, with its time: drizzle's logger sees only the
 * statements. It sits between drizzle and the driver: postgres.js's `unsafe` (behind the pool
 * gate, so that a query's time includes its wait for a connection) and bun:sqlite's prepared
 * statements; on Workers, D1's. The statement is the SQL text with placeholders ($1, ?): never
 * the values.
 */
import type { Database as BunSqlite, Statement } from "bun:sqlite";
import type { D1Database, D1PreparedStatement } from "@cloudflare/workers-types";
import type { Sql } from "postgres";

/** Called as a query starts; the function it returns is called once the query ends. */
export type QueryWatch = (statement: string) => (error?: unknown) => void;

type UnsafeArgs = Parameters<Sql["unsafe"]>;
type Thenable = PromiseLike<unknown> & { values(): unknown };

function watched<T>(done: (error?: unknown) => void, run: () => PromiseLike<T>): Promise<T> {
  let result: PromiseLike<T>;
  try {
    result = run();
  } catch (error) {
    done(error);
    throw error;
  }
  return Promise.resolve(result).then(
    (value) => {
      done();
      return value;
    },
    (error: unknown) => {
      done(error);
      throw error;
    },
  );
}

/** postgres.js: every `unsafe` query (drizzle sends all of its queries so), in transactions too. */
export function observePostgres(sql: Sql, watch: QueryWatch): Sql {
  const unsafe = (...args: UnsafeArgs) => {
    const query = sql.unsafe(...args) as unknown as Thenable;
    const run = (asValues: boolean) =>
      watched(watch(args[0]), () => (asValues ? (query.values() as PromiseLike<unknown>) : query));
    // drizzle awaits the query itself, or its .values()
    return {
      values: () => run(true),
      // biome-ignore lint/suspicious/noThenProperty: this object stands in for postgres.js's thenable query
      then: (resolve: (value: unknown) => unknown, reject: (reason: unknown) => unknown) =>
        run(false).then(resolve, reject),
    };
  };
  const begin = (...args: unknown[]) => {
    const callback = args.at(-1) as (transaction: Sql) => unknown;
    const options = args.slice(0, -1);
    return (sql.begin as (...a: unknown[]) => unknown)(...options, (transaction: Sql) =>
      callback(observePostgres(transaction, watch)),
    );
  };
  return new Proxy(sql, {
    get: (target, property, receiver) => {
      if (property === "unsafe") return unsafe;
      if (property === "begin") return begin;
      return Reflect.get(target, property, receiver);
    },
  });
}

const STATEMENT_METHODS = new Set<PropertyKey>(["run", "all", "get", "values"]);

/** bun:sqlite: the statements drizzle prepares, timed when they run. */
export function observeSqlite(sqlite: BunSqlite, watch: QueryWatch): BunSqlite {
  // One proxy per statement, with its timed methods made once: drizzle runs a prepared
  // statement many times, and a query should not pay for a closure per property read.
  const observed = new WeakMap<Statement, Statement>();
  const observe = (statement: Statement, text: string): Statement => {
    let proxy = observed.get(statement);
    if (proxy !== undefined) return proxy;
    const timed = new Map<PropertyKey, unknown>();
    for (const method of STATEMENT_METHODS) {
      const run = Reflect.get(statement, method, statement) as (...args: unknown[]) => unknown;
      timed.set(method, (...args: unknown[]) => {
        const done = watch(text);
        try {
          const result = run.apply(statement, args);
          done();
          return result;
        } catch (error) {
          done(error);
          throw error;
        }
      });
    }
    proxy = new Proxy(statement, {
      get: (target, property) => {
        const method = timed.get(property);
        if (method !== undefined) return method;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    observed.set(statement, proxy);
    return proxy;
  };
  return new Proxy(sqlite, {
    get: (target, property) => {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "prepare" || property === "query") {
        return (text: string, ...rest: unknown[]) =>
          observe((value as (...a: unknown[]) => Statement).call(target, text, ...rest), text);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

type D1Statement = D1PreparedStatement;
const D1_RUNS = new Set<PropertyKey>(["all", "raw", "run", "first"]);

/**
 * D1 (Workers): statements drizzle prepares and binds, timed when they run; a batch as one
 * query. The binding's batch() takes its own statement objects, so each proxy knows its own.
 */
export function observeD1(binding: D1Database, watch: QueryWatch): D1Database {
  const originals = new WeakMap<object, D1Statement>();
  const observe = (statement: D1Statement, text: string): D1Statement => {
    const proxy = new Proxy(statement, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "bind") {
          return (...args: unknown[]) => observe(value.apply(target, args) as D1Statement, text);
        }
        if (!D1_RUNS.has(property)) return value.bind(target);
        return (...args: unknown[]) =>
          watched(watch(text), () => value.apply(target, args) as PromiseLike<unknown>);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(binding, {
    get: (target, property) => {
      const value: unknown = Reflect.get(target, property, target);
      if (property === "prepare") {
        return (text: string) => observe(target.prepare(text), text);
      }
      if (property === "batch") {
        return (statements: D1Statement[]) =>
          watched(watch("batch"), () =>
            target.batch(statements.map((statement) => originals.get(statement) ?? statement)),
          );
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
