import { and, eq, lte, or, sql } from "drizzle-orm";
import type { ReturningInsert } from "../../db/atomic";
import type { AppDatabase } from "../../db/client";

/** The stored form of one caller's use of one key (see crypto.ts for how each is derived). */
export interface IdempotencyRecord {
  scope: string;
  keyHash: string;
  requestHash: string;
}

export type Reservation =
  | { kind: "acquired"; lease: string }
  | { kind: "completed"; sealedAnswer: string }
  | { kind: "in_progress" }
  | { kind: "other_request" };

/**
 * A reservation older than this, never completed nor released, is taken over by a retry of the
 * same request: its process died, or lost its database, mid-request. A request that is merely
 * slower loses nothing but its answer: its write fails (see `completion`), so that the request
 * that took over is the only one that creates.
 */
export const TAKEOVER_AFTER_MS = 60_000;
/** Expired rows are deleted at most this often per process, by a request that uses a key. */
const PURGE_INTERVAL_MS = 60_000;
// A row that changes between its read and its claim is read again, at most this many times.
const RESERVE_ATTEMPTS = 3;

const instant = (ms: number) => new Date(ms).toISOString();
const newLease = () =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");

/**
 * The idempotency_keys table: one row per caller and key, first a reservation held by the
 * request working on it, then its stored answer until it expires. Every process and instance
 * sees the same rows, so a retry may land anywhere.
 */
export function createIdempotencyStore(db: AppDatabase, ttlMs: number) {
  const { orm } = db;
  const { idempotencyKeys: keys } = db.tables;
  const sameRow = (record: IdempotencyRecord) =>
    and(eq(keys.scope, record.scope), eq(keys.keyHash, record.keyHash));
  let purgedAt = Number.NEGATIVE_INFINITY;

  const purgeExpired = async (now = Date.now()): Promise<number> => {
    purgedAt = now;
    const deleted = await orm
      .delete(keys)
      .where(lte(keys.expiresAt, instant(now)))
      .returning({ scope: keys.scope });
    return deleted.length;
  };

  return {
    purgeExpired,

    /**
     * Claims the key for this request: a new row, or one whose answer expired, or a reservation
     * of the same request left behind for TAKEOVER_AFTER_MS. Otherwise what the row holds. A
     * new key costs one statement; a key in use one more, to read its row (a request that writes
     * reads from the primary, src/http/read-routing.ts).
     */
    async reserve(record: IdempotencyRecord): Promise<Reservation> {
      if (Date.now() - purgedAt >= Math.min(PURGE_INTERVAL_MS, ttlMs)) await purgeExpired();
      for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
        const now = Date.now();
        const lease = newLease();
        const reservation = {
          requestHash: record.requestHash,
          state: "in_progress" as const,
          lease,
          status: null,
          answer: null,
          createdAt: instant(now),
          expiresAt: instant(now + ttlMs),
        };
        const [inserted] = await orm
          .insert(keys)
          .values({ ...record, ...reservation })
          .onConflictDoNothing({ target: [keys.scope, keys.keyHash] })
          .returning({ lease: keys.lease });
        if (inserted !== undefined) return { kind: "acquired", lease };

        const [row] = await orm
          .select({
            requestHash: keys.requestHash,
            state: keys.state,
            answer: keys.answer,
            createdAt: keys.createdAt,
            expiresAt: keys.expiresAt,
          })
          .from(keys)
          .where(sameRow(record));
        // Gone meanwhile (released after a failure, or purged): reserve it anew.
        if (row === undefined) continue;
        const expired = Date.parse(row.expiresAt) <= now;
        if (!expired && row.requestHash !== record.requestHash) return { kind: "other_request" };
        if (!expired && row.state === "completed" && row.answer !== null) {
          return { kind: "completed", sealedAnswer: row.answer };
        }
        const abandoned =
          row.state === "in_progress" && Date.parse(row.createdAt) <= now - TAKEOVER_AFTER_MS;
        if (!expired && !abandoned) return { kind: "in_progress" };
        // Claimed only while it still may be: of two requests taking it over, one does.
        const [claimed] = await orm
          .update(keys)
          .set(reservation)
          .where(
            and(
              sameRow(record),
              or(
                lte(keys.expiresAt, instant(now)),
                and(
                  eq(keys.state, "in_progress"),
                  eq(keys.requestHash, record.requestHash),
                  lte(keys.createdAt, instant(now - TAKEOVER_AFTER_MS)),
                ),
              ),
            ),
          )
          .returning({ lease: keys.lease });
        if (claimed !== undefined) return { kind: "acquired", lease };
      }
      // Changing under us three times over: as good as in use.
      return { kind: "in_progress" };
    },

    /**
     * The write that stores the answer, made part of the create's own atomic write. It completes
     * the reservation only while this request still holds it: if another request took it over,
     * the state it sets breaks the table's check (IDEMPOTENCY_STATE_CHECK), and the whole write,
     * the create included, fails. A row gone meanwhile (purged) is written anew.
     */
    completion(
      record: IdempotencyRecord,
      lease: string,
      status: number,
      sealedAnswer: string,
    ): ReturningInsert {
      const now = Date.now();
      const completed = {
        status,
        answer: sealedAnswer,
        lease: null,
        createdAt: instant(now),
        expiresAt: instant(now + ttlMs),
      };
      return orm
        .insert(keys)
        .values({ ...record, ...completed, state: "completed" })
        .onConflictDoUpdate({
          target: [keys.scope, keys.keyHash],
          set: {
            ...completed,
            state: sql`case when ${keys.lease} = ${lease} then 'completed' else 'superseded' end`,
          },
        })
        .returning({ scope: keys.scope });
    },

    /**
     * Gives the key up after a failed create, so that a retry runs again. False when this
     * request no longer held it: another request took it over.
     */
    async release(record: IdempotencyRecord, lease: string): Promise<boolean> {
      const released = await orm
        .delete(keys)
        .where(and(sameRow(record), eq(keys.lease, lease)))
        .returning({ scope: keys.scope });
      return released.length > 0;
    },
  };
}
