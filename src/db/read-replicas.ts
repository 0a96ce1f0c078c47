import type { Sql } from "postgres";
import { createCallerPositions, type Lsn, parseLsn, UNKNOWN_LSN } from "./caller-positions";
import { currentCallerScope } from "./caller-scope";
import { classifyDatabaseError } from "./errors";
import { gatePool, isRead } from "./pool-gate";
import { openStandbys, type Standby, type StandbyOptions } from "./standbys";

type UnsafeArgs = Parameters<Sql["unsafe"]>;

export interface ReadReplicaOptions extends StandbyOptions {
  urls: readonly string[];
  acquireTimeoutMs: number;
}

const run = (client: Sql, args: UnsafeArgs, asValues: boolean): Promise<unknown> => {
  const query = client.unsafe(...args);
  return asValues ? query.values() : query;
};

// Unavailable covers a server gone, shutting down or starting, and a read not started in time.
const isStandbyFault = (error: unknown) =>
  classifyDatabaseError(error, () => undefined)?.kind === "unavailable";

/**
 * Reads on standbys without reading older data than one's own writes. A read outside a write
 * goes to a standby, in turn, that is up, has all the primary had `maxLagMs` ago, and has
 * replayed the caller's last write; otherwise to the primary. After each write the primary's
 * WAL position (`pg_current_wal_insert_lsn()`, which, unlike `pg_current_wal_lsn()`, already
 * counts the commit record when synchronous_commit is off) is recorded for the caller before the
 * write's caller sees its result. A read that fails on a standby runs again on the primary.
 *
 * `primary` is the gated client of the primary (pool-gate.ts) that drizzle would otherwise be
 * given; `primaryReads` asks the primary for its position without waiting for a write connection.
 */
export function openReadReplicas(primary: Sql, primaryReads: Sql, options: ReadReplicaOptions) {
  const positions = createCallerPositions(options.maxLagMs);
  // What the primary had when this process started: writes this process never saw, acknowledged
  // before a restart, are waited for too.
  const standbys = openStandbys(options.urls, primaryReads, options, positions.raiseFloor);
  // Each standby client's gate: a read waits for its turn at most the acquire timeout. Only its
  // read path serves.
  const gates = new WeakMap<Sql, Sql>();
  const gateOf = (standby: Standby): Sql => {
    let gate = gates.get(standby.reads);
    if (gate === undefined) {
      gate = gatePool(standby.reads, standby.reads, 1, options.acquireTimeoutMs);
      gates.set(standby.reads, gate);
    }
    return gate;
  };
  let next = 0;
  let primaryReadsServed = 0;

  const usable = (standby: Standby, required: Lsn, now: number) =>
    standby.up && now - standby.freshAsOf <= options.maxLagMs && standby.replayLsn >= required;

  function pick(): Standby | undefined {
    const scope = currentCallerScope();
    // Outside a request (start-up, tools) and inside a write, reads stay on the primary.
    if (scope === undefined || scope.primary) return undefined;
    const required = positions.required(scope.caller);
    const now = performance.now();
    const { list } = standbys;
    for (let offset = 0; offset < list.length; offset++) {
      const index = (next + offset) % list.length;
      const standby = list[index] as Standby;
      if (!usable(standby, required, now)) continue;
      next = index + 1;
      return standby;
    }
    return undefined;
  }

  // Writes that finish in the same tick share one question to the primary, sent after all of
  // them: its answer is at or past each of their commits.
  let nextPosition: Promise<Lsn> | undefined;
  const primaryPosition = (): Promise<Lsn> => {
    nextPosition ??= Promise.resolve().then(async () => {
      nextPosition = undefined;
      const [row] = await primaryReads<{ lsn: string }[]>`
        select pg_current_wal_insert_lsn()::text as lsn`;
      return row === undefined ? UNKNOWN_LSN : parseLsn(row.lsn);
    });
    return nextPosition;
  };

  async function recordWrite(): Promise<void> {
    const scope = currentCallerScope();
    if (scope === undefined) return;
    scope.primary = true;
    if (scope.caller === undefined) return;
    // The write has committed: with its position unknown, no standby serves this caller for now.
    const lsn = await primaryPosition().catch(() => UNKNOWN_LSN);
    positions.record(scope.caller, lsn);
  }

  async function read(args: UnsafeArgs, asValues: boolean): Promise<unknown> {
    const standby = pick();
    if (standby !== undefined) {
      const client = standby.reads;
      try {
        const rows = await run(gateOf(standby), args, asValues);
        standby.readsServed++;
        return rows;
      } catch (error) {
        // Reads change nothing: whatever failed on the standby is asked of the primary, which
        // answers the same error if the read itself was at fault.
        if (isStandbyFault(error)) standbys.markDown(standby, client);
      }
    }
    primaryReadsServed++;
    return run(primary, args, asValues);
  }

  async function write(args: UnsafeArgs, asValues: boolean): Promise<unknown> {
    const result = await run(primary, args, asValues);
    await recordWrite();
    return result;
  }

  const unsafe = (...args: UnsafeArgs) => {
    const send = (asValues: boolean) =>
      isRead(args[0]) ? read(args, asValues) : write(args, asValues);
    return {
      values: () => send(true),
      // biome-ignore lint/suspicious/noThenProperty: this object stands in for postgres.js's thenable query
      then: (resolve: (value: unknown) => unknown, reject: (reason: unknown) => unknown) =>
        send(false).then(resolve, reject),
    };
  };
  // A transaction runs on one primary connection; its position is recorded once it committed.
  const begin = async (...args: unknown[]) => {
    const result: unknown = await (primary.begin as (...a: unknown[]) => Promise<unknown>)(...args);
    await recordWrite();
    return result;
  };

  return {
    /** The client to give drizzle in place of `primary`. */
    client: new Proxy(primary, {
      get: (target, property, receiver) => {
        if (property === "unsafe") return unsafe;
        if (property === "begin") return begin;
        return Reflect.get(target, property, receiver);
      },
    }),
    /** Resolves once every standby has been probed once. */
    ready: standbys.ready,
    /** Gives the standbys' clients the type handling drizzle set on the primary's. */
    copyTypeHandling: standbys.copyTypeHandling,
    /** Where reads went, and what the probes last saw: for tests and benchmarks. */
    stats() {
      const now = performance.now();
      return {
        primaryReads: primaryReadsServed,
        callersTracked: positions.size,
        standbys: standbys.list.map((standby) => ({
          description: standby.description,
          up: standby.up,
          lagMs: Math.round(now - standby.freshAsOf),
          reads: standby.readsServed,
        })),
      };
    },
    close: () => standbys.close(),
  };
}

export type ReadReplicas = ReturnType<typeof openReadReplicas>;
