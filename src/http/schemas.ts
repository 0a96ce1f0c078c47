import { t } from "elysia";

/** Dates travel as ISO-8601 UTC strings and are Date objects inside the app. */
export const Timestamp = t
  .Transform(t.String({ format: "date-time" }))
  .Decode((value) => new Date(value))
  .Encode((date: Date) => date.toISOString());

/** A path id: any UUID, compared in lower case as it is stored. */
export const Id = t
  .Transform(t.String({ format: "uuid", description: "UUIDv7" }))
  .Decode((value) => value.toLowerCase())
  .Encode((value) => value);

/** Trimmed text that must keep a visible character and may not hold NUL (PostgreSQL refuses it). */
export const trimmedText = <S extends { maxLength?: number }>(column: S) =>
  t
    .Transform(t.String({ ...column, minLength: 1, pattern: "^(?=[\\s\\S]*\\S)[^\\u0000]*$" }))
    .Decode((value) => value.trim())
    .Encode((value) => value);

export const PageQuery = {
  limit: t.Integer({ minimum: 1, maximum: 100, default: 20, description: "Rows per page, 1..100" }),
  cursor: t.Optional(
    t.String({ maxLength: 200, description: "The nextCursor of the previous page" }),
  ),
};

export const page = <T extends Parameters<typeof t.Array>[0]>(item: T) =>
  t.Object({ data: t.Array(item), nextCursor: t.Union([t.String(), t.Null()]) });
