import type { ReturningInsert } from "../../db/atomic";
import type { AppDatabase } from "../../db/client";
import { uniqueConstraintColumns } from "../../db/constraints";
import { classifyDatabaseError } from "../../db/errors";
import { IDEMPOTENCY_STATE_CHECK } from "../../db/schema";
import { ProblemError } from "../../http/problem";
import { deriveKey } from "./crypto";
import { createIdempotencyStore, type IdempotencyRecord } from "./store";

/** A create's answer as the client gets it, and as a retry with the same key gets it again. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Given the answer the create will give (known before its write), the statements that store it
 * with the create, in the same atomic write.
 */
export type Seal<A extends Answer> = (answer: A) => Promise<ReturningInsert[]>;

/** One use of an idempotency key: who sends it, and what request it stands for. */
export interface KeyedRequest {
  key: string;
  /** The caller: a key is one caller's own; another caller's equal key is another key. */
  scope: string;
  /** Method, path and body, as one string: a retry must send the same. */
  fingerprint: string;
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;

const inUse = (detail: string) =>
  new ProblemError("idempotency_key_in_use", detail, undefined, { "retry-after": "1" });

const superseded = () =>
  inUse("Another request with this Idempotency-Key took this one's place: retry to get its answer");

/** Whether the write failed because another request took the reservation over (store.ts). */
const lostReservation = (error: unknown) => {
  const failure = classifyDatabaseError(error, (name) => uniqueConstraintColumns.get(name));
  return failure?.kind === "check" && failure.constraint === IDEMPOTENCY_STATE_CHECK;
};

export function createIdempotencyService(db: AppDatabase, ttlSeconds: number) {
  const store = createIdempotencyStore(db, ttlSeconds * 1000);

  return {
    purgeExpired: store.purgeExpired,

    /**
     * Runs a create at most once per caller and key: the first request runs `create`, which
     * must pass its answer to `seal` for its write; a retry of the same request gets that answer
     * again, until it expires. Another request with the key gets 422, and one while the first is
     * still running 409. A create that fails stores nothing: the key is released for a retry.
     */
    async run<A extends Answer>(
      request: KeyedRequest,
      create: (seal: Seal<A>) => Promise<A>,
    ): Promise<{ answer: A; replayed: boolean }> {
      const derived = await deriveKey(request.key, request.scope);
      const record: IdempotencyRecord = {
        scope: request.scope,
        keyHash: derived.keyHash,
        requestHash: await derived.requestHash(request.fingerprint),
      };
      // Binds a stored answer to its row: moved to another row, it does not decrypt.
      const associated = `${record.scope}\u0000${record.keyHash}\u0000${record.requestHash}`;
      const reservation = await store.reserve(record);
      switch (reservation.kind) {
        case "other_request":
          throw new ProblemError(
            "idempotency_key_reused",
            "This Idempotency-Key was sent with another request: send a new key for a new request",
          );
        case "in_progress":
          throw inUse("A request with this Idempotency-Key is in progress: retry after it ends");
        case "completed": {
          const plaintext = await derived.open(reservation.sealedAnswer, associated);
          if (plaintext === undefined) throw new Error("a stored answer does not decrypt");
          return { answer: JSON.parse(plaintext) as A, replayed: true };
        }
        case "acquired":
          break;
      }

      const { lease } = reservation;
      let stored: string | undefined;
      const seal: Seal<A> = async (answer) => {
        stored = JSON.stringify(answer);
        const sealed = await derived.seal(stored, associated);
        return [store.completion(record, lease, answer.status, sealed)];
      };
      let answer: A;
      try {
        answer = await create(seal);
      } catch (error) {
        // Whatever failed first (a unique email the other request wrote, the check), a request
        // that lost its reservation answers so: the request that took over has the answer.
        if (lostReservation(error)) throw superseded();
        let released: boolean;
        try {
          released = await store.release(record, lease);
        } catch {
          // A reservation left behind (the database gone as well) is taken over later.
          throw error;
        }
        if (!released) throw superseded();
        throw error;
      }
      if (stored === undefined) {
        await store.release(record, lease);
        throw new Error("a create stored no answer for its Idempotency-Key");
      }
      // What the create wrote must be what it stored, or a retry would get another answer.
      if (JSON.stringify(answer) !== stored) {
        throw new Error("a create answered other than the answer it stored");
      }
      return { answer: JSON.parse(stored) as A, replayed: false };
    },
  };
}
