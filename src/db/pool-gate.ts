import type { PendingQuery, Row, Sql } from "postgres";

/** No connection became free, or a read did not start, within the acquire timeout. */
class PoolTimeoutError extends Error {
  override name = "PoolTimeoutError";
  readonly code = "POOL_TIMEOUT";
}

const timeoutError = (timeoutMs: number) =>
  new PoolTimeoutError(`no database connection became free within ${timeoutMs} ms`);

/** What the gate is doing now, kept up to date for the metrics (src/observability/metrics.ts). */
export interface PoolUsage {
  writesInUse: number;
  writesWaiting: number;
  readsInFlight: number;
}

export const createPoolUsage = (): PoolUsage => ({
  writesInUse: 0,
  writesWaiting: 0,
  readsInFlight: 0,
});

/** Counts the pool's connections out and back, so that a query waits for one at most `timeoutMs`. */
function createPermits(size: number, timeoutMs: number, usage: PoolUsage) {
  let free = size;
  const waiting: { grant: () => void }[] = [];
  const release = () => {
    const next = waiting.shift();
    usage.writesWaiting = waiting.length;
    if (next) next.grant();
    else {
      free++;
      usage.writesInUse--;
    }
  };
  return {
    acquire(): Promise<() => void> {
      if (free > 0) {
        free--;
        usage.writesInUse++;
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
          usage.writesWaiting = waiting.length;
          reject(timeoutError(timeoutMs));
        }, timeoutMs);
        waiting.push(waiter);
        usage.writesWaiting = waiting.length;
      });
    },
  };
}

type UnsafeArgs = Parameters<Sql["unsafe"]>;
// postgres.js marks the query its connection is running as active; pipelined ones wait behind it.
// `state` is set once a connection has taken the query and written it out.
type RunningQuery = PendingQuery<Row[]> & { active?: boolean; state?: unknown };

// Only plain SELECTs are reads: anything else (and anything unsure) takes the write path.
export const isRead = (text: string) => /^\s*select\b/i.test(text);

interface WatchedRead {
  query: RunningQuery | undefined;
  deadline: number;
  fail: ((error: Error) => void) | undefined;
}

/**
 * The deadlines of the reads in flight, in the order they were sent (which is the order of their
 * deadlines), watched by one timer: a timer and a race per read cost every request.
 */
function createReadDeadlines(timeoutMs: number) {
  const watched: WatchedRead[] = [];
  let head = 0;
  let sweeping = false;
  // Unref'd: a watch left over must not keep a finished process alive.
  const sweepIn = (ms: number) => {
    sweeping = true;
    setTimeout(sweep, ms).unref();
  };

  // Drops settled reads from the front, so that the list holds only reads still in flight.
  const advance = () => {
    while (head < watched.length && (watched[head] as WatchedRead).query === undefined) head++;
    if (head === watched.length) {
      watched.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > watched.length) {
      watched.splice(0, head);
      head = 0;
    }
  };
  const settle = (read: WatchedRead) => {
    read.query = undefined;
    read.fail = undefined;
    advance();
  };
  function sweep() {
    sweeping = false;
    const now = performance.now();
    advance();
    for (;;) {
      const read = watched[head];
      if (read === undefined) return;
      if (read.deadline > now) return sweepIn(Math.max(1, read.deadline - now));
      // A read that has started is never cut off: only one still queued behind others fails.
      if (read.query?.active !== true) read.fail?.(timeoutError(timeoutMs));
      settle(read);
    }
  }

  return {
    watch(query: RunningQuery, fail: (error: Error) => void): WatchedRead {
      const read = { query, deadline: performance.now() + timeoutMs, fail };
      watched.push(read);
      if (!sweeping) sweepIn(timeoutMs);
      return read;
    },
    settle,
  };
}

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
export function gatePool(
  writes: Sql,
  reads: Sql,
  poolSize: number,
  timeoutMs: number,
  usage: PoolUsage = createPoolUsage(),
): Sql {
  const permits = createPermits(poolSize, timeoutMs, usage);
  const deadlines = createReadDeadlines(timeoutMs);

  async function write(args: UnsafeArgs, asValues: boolean): Promise<unknown> {
    const started = performance.now();
    const release = await permits.acquire();
    try {
      const query = writes.unsafe(...args) as RunningQuery;
      const result: Promise<unknown> = asValues ? query.values() : query;
      return await sentWithin(query, result, timeoutMs - (performance.now() - started));
    } finally {
      release();
    }
  }

  /**
   * A write whose connection is still being opened when the acquire timeout ends (a failover:
   * hosts refusing, or answering that they are not the primary) is withdrawn before postgres.js
   * sends it, so that it never lands after its request got 503. Once sent, it runs to its end.
   */
  function sentWithin(query: RunningQuery, result: Promise<unknown>, ms: number) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          if (query.state != null) return;
          query.cancel();
          reject(timeoutError(timeoutMs));
        },
        Math.max(0, ms),
      );
      // A withdrawn query's own rejection comes after ours, and settles nothing.
      result.then(
        (rows) => {
          clearTimeout(timer);
          resolve(rows);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  function read(args: UnsafeArgs, asValues: boolean): Promise<unknown> {
    const query = reads.unsafe(...args) as RunningQuery;
    const result: Promise<unknown> = asValues ? query.values() : query;
    usage.readsInFlight++;
    return new Promise((resolve, reject) => {
      const watched = deadlines.watch(query, reject);
      // After its deadline answered, the read's own outcome has nobody left to tell: settling
      // a settled promise does nothing.
      result.then(
        (rows) => {
          usage.readsInFlight--;
          deadlines.settle(watched);
          resolve(rows);
        },
        (error: unknown) => {
          usage.readsInFlight--;
          deadlines.settle(watched);
          reject(error);
        },
      );
    });
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
