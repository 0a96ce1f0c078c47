import type { PendingQuery, Row, Sql } from "postgres";

/** No connection became free, or a read did not start, within the acquire timeout. */
class PoolTimeoutError extends Error {
  override name = "PoolTimeoutError";
  readonly code = "POOL_TIMEOUT";
}

const timeoutError = (timeoutMs: number) =>
  new PoolTimeoutError(`no database connection became free within ${timeoutMs} ms`);

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
          reject(timeoutError(timeoutMs));
        }, timeoutMs);
        waiting.push(waiter);
      });
    },
  };
}

type UnsafeArgs = Parameters<Sql["unsafe"]>;
// postgres.js marks the query its connection is running as active; pipelined ones wait behind it.
type RunningQuery = PendingQuery<Row[]> & { active?: boolean };

// Only plain SELECTs are reads: anything else (and anything unsure) takes the write path.
const isRead = (text: string) => /^\s*select\b/i.test(text);

/**
 * The client drizzle uses, in front of two postgres.js pools:
 * - writes (and anything not a plain SELECT) on the write pool, one query per connection: a query
 *   waits for a free connection at most `timeoutMs`, then fails with PoolTimeoutError (answered
 *   503) without having been sent, so that a write never lands after its request got 503;
 * - reads on the read pool, where postgres.js pipelines them (many in flight per connection, which
 *   measured two to three times the throughput of one query per connection); a read that has not
 *   started within `timeoutMs`, queued behind slow ones, fails the same way and runs unobserved.
 * postgres.js alone has no acquire timeout: it queues a query for as long as connections are busy.
 */
export function gatePool(writes: Sql, reads: Sql, poolSize: number, timeoutMs: number): Sql {
  const permits = createPermits(poolSize, timeoutMs);

  async function write(args: UnsafeArgs, asValues: boolean): Promise<unknown> {
    const release = await permits.acquire();
    try {
      const query = writes.unsafe(...args);
      return await (asValues ? query.values() : query);
    } finally {
      release();
    }
  }

  function read(args: UnsafeArgs, asValues: boolean): Promise<unknown> {
    const query = reads.unsafe(...args) as RunningQuery;
    const result: Promise<unknown> = asValues ? query.values() : query;
    let timer: Timer | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (!query.active) reject(timeoutError(timeoutMs));
      }, timeoutMs);
    });
    // The read may fail after its deadline answered: that failure has nobody left to tell.
    result.catch(() => {});
    return Promise.race([result, deadline]).finally(() => clearTimeout(timer));
  }

  const unsafe = (...args: UnsafeArgs) => {
    const run = (asValues: boolean) =>
      isRead(args[0]) ? read(args, asValues) : write(args, asValues);
    // drizzle awaits the query itself, or its .values()
    return {
      values: () => run(true),
      // biome-ignore lint/suspicious/noThenProperty: this object stands in for postgres.js's thenable query
      then: (resolve: (value: unknown) => unknown, reject: (reason: unknown) => unknown) =>
        run(false).then(resolve, reject),
    };
  };
  return new Proxy(writes, {
    get: (target, property, receiver) =>
      property === "unsafe" ? unsafe : Reflect.get(target, property, receiver),
  });
}
