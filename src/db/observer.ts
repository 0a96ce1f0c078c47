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
    // Timed from when drizzle awaits it, with no promise of its own in between.
    const run = (
      started: PromiseLike<unknown>,
      done: (error?: unknown) => void,
      resolve: (value: unknown) => unknown,
      reject: (reason: unknown) => unknown,
    ) =>
      started.then(
        (value) => {
          done();
          return resolve(value);
        },
        (error: unknown) => {
          done(error);
          return reject(error);
        },
      );
    // drizzle awaits the query itself, or its .values()
    return {
      values: () => {
        const done = watch(args[0]);
        return new Promise((resolve, reject) => {
          run(query.values() as PromiseLike<unknown>, done, resolve, reject);
        });
      },
      // biome-ignore lint/suspicious/noThenProperty: this object stands in for postgres.js's thenable query
      then: (resolve: (value: unknown) => unknown, reject: (reason: unknown) => unknown) =>
        run(query, watch(args[0]), resolve, reject),
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

const STATEMENT_METHODS = ["run", "all", "get", "values"] as const;

const TIMED = Symbol("timed statement");

/**
 * bun:sqlite: the statements drizzle prepares, timed when they run. bun:sqlite hands out one
 * Statement per SQL text (query() caches them), so each gets its timed methods once, as its own
 * properties: no proxy stands between drizzle and a statement it runs over and over.
 */
export function observeSqlite(sqlite: BunSqlite, watch: QueryWatch): BunSqlite {
  const observe = (statement: Statement, text: string): Statement => {
    const timed = statement as Statement & { [TIMED]?: true };
    if (timed[TIMED]) return statement;
    for (const method of STATEMENT_METHODS) {
      const run = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      Object.defineProperty(statement, method, {
        configurable: true,
        value: (...args: unknown[]) => {
          const done = watch(text);
          try {
            const result = run(...args);
            done();
            return result;
          } catch (error) {
            done(error);
            throw error;
          }
        },
      });
    }
    timed[TIMED] = true;
    return statement;
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
