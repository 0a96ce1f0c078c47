/** A position in the primary's write-ahead log, as a number of bytes. */
export type Lsn = bigint;

/** Where a write whose position could not be read may be: no standby is known to have it. */
export const UNKNOWN_LSN: Lsn = 2n ** 64n;

/** PostgreSQL writes an LSN as two hexadecimal halves, e.g. 16/B374D848. */
export function parseLsn(text: string): Lsn {
  const [high = "", low = ""] = text.split("/");
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

interface Position {
  lsn: Lsn;
  /** performance.now() when the position was recorded, after the write had committed. */
  at: number;
}

/**
 * The WAL position of each caller's last write, for as long as it matters: a standby is only
 * read from while it has all that the primary had `maxLagMs` ago (standbys.ts), so a position
 * older than that is behind every standby in use and is forgotten. Past `capacity` callers the
 * oldest are forgotten early, and their positions raise a floor that every caller not listed must
 * wait for instead: memory stays bounded and nobody reads older data than they wrote.
 */
export function createCallerPositions(maxLagMs: number, capacity = 100_000) {
  // Insertion order is the order of recording: a caller's new position moves it to the end.
  const positions = new Map<string, Position>();
  let floor: Position | undefined;

  const forgetExpired = (now: number) => {
    const expiredBefore = now - maxLagMs;
    for (const [caller, position] of positions) {
      if (position.at >= expiredBefore) break;
      positions.delete(caller);
    }
    if (floor !== undefined && floor.at < expiredBefore) floor = undefined;
  };

  return {
    record(caller: string, lsn: Lsn): void {
      const now = performance.now();
      forgetExpired(now);
      const previous = positions.get(caller);
      positions.delete(caller);
      // Concurrent writes of one caller may report out of order: keep the furthest.
      positions.set(caller, {
        lsn: previous !== undefined && previous.lsn > lsn ? previous.lsn : lsn,
        at: now,
      });
      if (positions.size <= capacity) return;
      const [oldestCaller, oldest] = positions.entries().next().value as [string, Position];
      positions.delete(oldestCaller);
      floor = {
        lsn: floor !== undefined && floor.lsn > oldest.lsn ? floor.lsn : oldest.lsn,
        at: oldest.at,
      };
    },

    /**
     * Every caller must wait for `lsn`, e.g. all the primary had when this process started:
     * writes acknowledged before then, by this process or another, left no position here.
     */
    raiseFloor(lsn: Lsn): void {
      const at = performance.now();
      floor = { lsn: floor !== undefined && floor.lsn > lsn ? floor.lsn : lsn, at };
    },

    /** The position a standby must have replayed before it may serve this caller's reads. */
    required(caller: string | undefined): Lsn {
      const now = performance.now();
      forgetExpired(now);
      const own = caller === undefined ? undefined : positions.get(caller);
      if (own !== undefined) return own.lsn;
      return floor?.lsn ?? 0n;
    },

    get size(): number {
      return positions.size;
    },
  };
}
