import type { Sql } from "postgres";

/** No connection of the pool became free within the acquire timeout. */
class PoolTimeoutError extends Error {
  override name = "PoolTimeoutError";
  readonly code = "POOL_TIMEOUT";
}

/** Counts the pool's connections out and back, so that a query waits for one at most `timeoutMs`. */
function createPermits(size: number, timeoutMs: number) {
  let free = size;
  const waiting: { grant: () => void }[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next.grant();
    else free++;
  };
  return {
    acquire(): Promise<() => void> {
      if (free > 0) {
        free--;
        return Promise.resolve(release);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            clearTimeout(timer);
            resolve(release);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(new PoolTimeoutError(`no database connection became free within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(waiter);
      });
    },
  };
}

/**
 * postgres.js queues a query for as long as every connection is busy. This wraps the client that
 * drizzle uses so that a query waits for a connection at most `timeoutMs`, then fails with
 * PoolTimeoutError (answered 503) instead of hanging the request.
 */
export function gatePool(sql: Sql, poolSize: number, timeoutMs: number): Sql {
  const permits = createPermits(poolSize, timeoutMs);
  const unsafe = (...args: Parameters<Sql["unsafe"]>) => {
    const run = async (asValues: boolean) => {
      const release = await permits.acquire();
      try {
        const query = sql.unsafe(...args);
        return await (asValues ? query.values() : query);
      } finally {
        release();
      }
    };
    // drizzle awaits the query itself, or its .values()
    return {
      values: () => run(true),
      // biome-ignore lint/suspicious/noThenProperty: this object stands in for postgres.js's thenable query
      then: (resolve: (value: unknown) => unknown, reject: (reason: unknown) => unknown) =>
        run(false).then(resolve, reject),
    };
  };
  return new Proxy(sql, {
    get: (target, property, receiver) =>
      property === "unsafe" ? unsafe : Reflect.get(target, property, receiver),
  });
}
