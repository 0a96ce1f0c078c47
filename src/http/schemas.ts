import { t } from "elysia";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../lib/pagination";
import { Text } from "./text";

/** A point in time: an ISO-8601 UTC string, in the app as on the wire (see Instant). */
export const Timestamp = t.String({ format: "date-time" });

/**
 * A path id: any UUID, compared in lower case as it is stored (see lowerCasePathIds). Not a
 * Transform: Elysia decodes a schema with a transform through TypeBox's generic walker, which
 * cost about 3.5 µs of every request (bench/README.md).
 */
export const Id = t.String({ format: "uuid", description: "UUIDv7, in any case" });

// Well-formed text: no NUL (PostgreSQL refuses it) and no unpaired UTF-16 surrogate (it would be
// stored as U+FFFD, silently changing what the client sent).
const WELL_FORMED = "(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*";
export const WELL_FORMED_TEXT = `^${WELL_FORMED}$`;

/** Text that is trimmed, and must keep a visible character; lengths count code points. */
export const trimmedText = <S extends { maxLength?: number }>(column: S) =>
  t
    .Transform(
      Text({
        ...column,
        minLength: 1,
        pattern: `^(?=[\\s\\S]*\\S)${WELL_FORMED}$`,
        error: `must be 1 to ${column.maxLength ?? "any number of"} characters, not blank, without NUL or unpaired surrogates`,
      }),
    )
    .Decode((value) => value.trim())
    .Encode((value) => value);

// A string checked here rather than Elysia's number coercion, whose errors do not name the
// parameter. Not a Transform: Elysia 1.4 decodes a query with a transform twice, and the second
// decode fails on the number and builds an error report it then ignores, on every request. The
// OpenAPI document describes it as the integer it means (src/http/openapi.ts).
export const Limit = t.String({
  pattern: "^(?:[1-9][0-9]?|100)$",
  description: `Rows per page: an integer from 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`,
  error: `must be an integer from 1 to ${MAX_PAGE_SIZE}`,
});

export const PageQuery = {
  limit: t.Optional(Limit),
  cursor: t.Optional(
    Text({
      maxLength: 200,
      description: "The nextCursor of the previous page",
      error: "must be the nextCursor of a previous page",
    }),
  ),
};

/** The page a validated query asks for, with its limit as a number. */
export const pageOf = <Q extends { limit?: string | undefined }>({ limit, ...rest }: Q) => ({
  ...rest,
  limit: limit === undefined ? undefined : Number(limit),
});

/** Query schemas let unknown parameters through (cache busters and the like), unlike bodies. */
export const queryObject = <P extends Parameters<typeof t.Object>[0]>(properties: P) =>
  t.Object(properties, { additionalProperties: true });

export const page = <T extends Parameters<typeof t.Array>[0]>(item: T) =>
  t.Object({ data: t.Array(item), nextCursor: t.Union([t.String(), t.Null()]) });
