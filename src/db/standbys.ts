import postgres, { type Sql } from "postgres";
import { redactUrl } from "../config";
import { type Lsn, parseLsn } from "./caller-positions";
import { clientOptions, copyTypeHandling } from "./postgres-options";

/** One standby as the probes last saw it. */
export interface Standby {
  /** The URL, password masked. */
  description: string;
  /** The client its reads go through, pipelined like the primary's reads. */
  reads: Sql;
  /** Answered the last probe as a server in recovery, and no read has failed on it since. */
  up: boolean;
  /** How far it had replayed the primary's WAL at the last probe: it only moves forward. */
  replayLsn: Lsn;
  /** performance.now() of the newest moment at which the primary had no more than it has. */
  freshAsOf: number;
  /** Reads it answered. */
  readsServed: number;
}

interface Sample {
  /** performance.now() when the question was sent. */
  at: number;
  lsn: Lsn;
}

export interface StandbyOptions {
  /** Read connections per standby. */
  readConnections: number;
  /** A standby without everything the primary had this long ago is not read from. */
  maxLagMs: number;
  /** How often each standby (and the primary's position) is asked; default 250 ms. */
  probeIntervalMs?: number;
  /** Named prepared statements (DATABASE_PREPARE); default true. */
  prepare?: boolean;
}

// postgres.js reads the server's array types when it connects; a standby going away in the middle
// of that leaves a rejection nobody awaits. The app's columns have no array types.
const standbyOptions = (prepare: boolean) => ({ ...clientOptions(prepare), fetch_types: false });
const PROBE_TIMEOUT_MS = 1_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The standbys and a probe that asks each of them, every `probeIntervalMs`, how far it has
 * replayed (`pg_last_wal_replay_lsn()`), right after asking the primary how far it has written
 * (`pg_current_wal_insert_lsn()`). A standby that has replayed what the primary had written at
 * time t has all data as of t: its lag is the age of the newest such t. A standby that does not
 * answer within a second, or is no longer in recovery (promoted), is down until it answers again.
 */
export function openStandbys(
  urls: readonly string[],
  primaryReads: Sql,
  options: StandbyOptions,
  onFirstSample: (lsn: Lsn) => void,
) {
  const interval = options.probeIntervalMs ?? 250;
  const connectionOptions = standbyOptions(options.prepare ?? true);
  // The client whose type handling (set by drizzle) every standby client copies.
  let typeSource: Sql | undefined;
  const openReads = (url: string) => {
    const reads = postgres(url, { ...connectionOptions, max: options.readConnections });
    if (typeSource !== undefined) copyTypeHandling(typeSource, reads);
    return reads;
  };
  const standbys = urls.map((url) => {
    const standby: Standby = {
      description: redactUrl(url),
      reads: openReads(url),
      up: false,
      replayLsn: 0n,
      freshAsOf: Number.NEGATIVE_INFINITY,
      readsServed: 0,
    };
    // Its own connection, so that a probe never queues behind the standby's reads.
    const probe = postgres(url, { ...connectionOptions, max: 1 });
    return { url, standby, probe, probing: false };
  });
  // The primary's positions over the last maxLagMs, oldest first.
  const samples: Sample[] = [];

  async function samplePrimary(): Promise<void> {
    const at = performance.now();
    const [row] = await withTimeout(
      primaryReads<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`,
      PROBE_TIMEOUT_MS,
    );
    if (row === undefined) return;
    const lsn = parseLsn(row.lsn);
    // Before any standby can be read from: none has a sample to be fresh against yet.
    if (samples.length === 0) onFirstSample(lsn);
    samples.push({ at, lsn });
    const keepAfter = at - options.maxLagMs - interval;
    while (samples.length > 1 && (samples[0] as Sample).at < keepAfter) samples.shift();
  }

  async function probe(entry: (typeof standbys)[number]): Promise<void> {
    if (entry.probing) return;
    entry.probing = true;
    const { standby } = entry;
    try {
      const [row] = await withTimeout(
        entry.probe<{ lsn: string | null; recovering: boolean }[]>`
          select pg_last_wal_replay_lsn()::text as lsn, pg_is_in_recovery() as recovering`,
        PROBE_TIMEOUT_MS,
      );
      if (row?.lsn == null || !row.recovering) {
        standby.up = false;
        return;
      }
      const replayed = parseLsn(row.lsn);
      if (replayed > standby.replayLsn) standby.replayLsn = replayed;
      for (let index = samples.length - 1; index >= 0; index--) {
        const sample = samples[index] as Sample;
        if (sample.lsn > standby.replayLsn) continue;
        if (sample.at > standby.freshAsOf) standby.freshAsOf = sample.at;
        break;
      }
      standby.up = true;
    } catch {
      standby.up = false;
      // The next probe opens a new connection rather than queue behind one that may hang.
      const old = entry.probe;
      entry.probe = postgres(entry.url, { ...connectionOptions, max: 1 });
      void old.end({ timeout: 0 }).catch(() => {});
    } finally {
      entry.probing = false;
    }
  }

  async function round(): Promise<void> {
    // The standbys are asked after the primary answered, so that a sample is never newer than
    // what it is compared with. Without the primary the samples age, and so do the standbys.
    await samplePrimary().catch(() => {});
    await Promise.all(standbys.map(probe));
  }

  let stopped = false;
  let timer: Timer | undefined;
  const schedule = () => {
    if (stopped) return;
    // Unref'd: the probes alone must not keep a finished process alive.
    timer = setTimeout(() => void round().finally(schedule), interval);
    timer.unref();
  };
  const started = round().finally(schedule);

  return {
    list: standbys.map(({ standby }) => standby),
    /** Resolves after the first round of probes, so that a new app can use its standbys at once. */
    ready: started,
    /** Gives every standby client the type handling drizzle set on `from`. */
    copyTypeHandling(from: Sql): void {
      typeSource = from;
      for (const { standby } of standbys) copyTypeHandling(from, standby.reads);
    },
    /**
     * A read failed on the standby or did not start in time: skip it until a probe answers
     * again, and read through new connections then. After the server restarted, postgres.js was
     * seen to hold reads on the old client past the acquire timeout while probes answered.
     */
    markDown(standby: Standby, failedClient: Sql): void {
      standby.up = false;
      const entry = standbys.find((candidate) => candidate.standby === standby);
      // A read on a client already replaced says nothing of the new one.
      if (entry === undefined || standby.reads !== failedClient) return;
      const old = standby.reads;
      standby.reads = openReads(entry.url);
      // Reads still running on the old client may finish within a second.
      void old.end({ timeout: 1 }).catch(() => {});
    },
    async close(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(
        standbys.flatMap(({ standby, probe }) => [
          standby.reads.end({ timeout: 5 }),
          probe.end({ timeout: 5 }),
        ]),
      );
    },
  };
}
