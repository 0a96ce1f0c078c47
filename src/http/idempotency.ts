import { t } from "elysia";
import type { Companions } from "../db/atomic";
import type { Answer, IdempotencyService } from "../modules/idempotency/service";
import type { Principal } from "./auth";
import { Problem } from "./problem";

const IDEMPOTENCY_KEY = "idempotency-key";
/** Set on an answer that a retry gets again, as Stripe names it. */
const REPLAYED_HEADER = "idempotent-replayed";

/**
 * The Idempotency-Key header of the creating POSTs (draft-ietf-httpapi-idempotency-key-header):
 * in the OpenAPI document, and checked before the handler runs (a malformed one gets 400).
 */
export const IdempotencyHeaders = t.Object(
  {
    [IDEMPOTENCY_KEY]: t.Optional(
      t.String({
        minLength: 1,
        maxLength: 255,
        pattern: "^[\\x21-\\x7e](?:[\\x20-\\x7e]*[\\x21-\\x7e])?$",
        error: "must be 1 to 255 printable ASCII characters",
        description:
          "Makes a retry safe: a retry with the same key and body within IDEMPOTENCY_TTL_SECONDS (24 hours by default) gets the first answer again, `Idempotent-Replayed: true`, and creates nothing. Use a new random key (a UUID) per request; keys are per caller",
      }),
    ),
  },
  { additionalProperties: true },
);

const described = (description: string) =>
  t.Object(Problem.properties, {
    ...Problem,
    description: `RFC 9457 problem details: ${description}`,
  });

const IN_USE =
  "/problems/idempotency-key-in-use (with Retry-After), a request with the same Idempotency-Key is in progress";
const REUSED = described(
  "/problems/validation-failed, the request is invalid; /problems/idempotency-key-reused, its Idempotency-Key was sent before with another request",
);

/**
 * A creating POST's 409 and 422, described with what they mean for an Idempotency-Key;
 * `conflict` says what else a 409 means for it, if anything.
 */
export const idempotencyProblems = (conflict?: string) => ({
  409: described(conflict === undefined ? IN_USE : `/problems/conflict, ${conflict}; ${IN_USE}`),
  422: REUSED,
});

/** The caller a key belongs to: the admin token, or one API key (not its tenant's other keys). */
const scopeOf = (principal: Principal) =>
  principal.kind === "admin" ? "admin" : `api-key:${principal.apiKeyId}`;

/** JSON with object keys sorted: bodies that differ only in key order are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

interface CreateContext {
  request: Request;
  headers: Record<string, string | undefined>;
  principal: Principal;
  /** The validated body: what the create is asked to do. */
  body: unknown;
  set: { headers: Record<string, string | number> };
}

/**
 * Runs a creating route's work once per Idempotency-Key, or simply runs it without one.
 * `answerOf` turns the created row into the route's answer; `create` writes the row, with the
 * companions it is given (insertTogether), which store that answer when there is a key. The
 * answer's headers are set here; the route returns its status and body.
 */
export function idempotentCreates(idempotency: IdempotencyService) {
  return async <Row, A extends Answer>(
    context: CreateContext,
    answerOf: (row: Row) => A,
    create: (companions: Companions<Row> | undefined) => Promise<Row>,
  ): Promise<A> => {
    const key = context.headers[IDEMPOTENCY_KEY];
    let answer: A;
    if (key === undefined) {
      answer = answerOf(await create(undefined));
    } else {
      const { request, body, principal } = context;
      const path = new URL(request.url).pathname.toLowerCase();
      const result = await idempotency.run<A>(
        {
          key,
          scope: scopeOf(principal),
          fingerprint: `${request.method} ${path}\n${canonicalJson(body)}`,
        },
        async (seal) => answerOf(await create((row) => seal(answerOf(row)))),
      );
      answer = result.answer;
      if (result.replayed) context.set.headers[REPLAYED_HEADER] = "true";
    }
    Object.assign(context.set.headers, answer.headers);
    return answer;
  };
}

export type IdempotentCreates = ReturnType<typeof idempotentCreates>;
