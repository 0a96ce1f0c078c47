import { ProblemError } from "../http/problem";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VERSION = "v1:";

/** An opaque page cursor: the id of the last row of the page before. */
function encodeCursor(lastId: string): string {
  return Buffer.from(`${VERSION}${lastId}`).toString("base64url");
}

export function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const id = decoded.startsWith(VERSION) ? decoded.slice(VERSION.length) : "";
  if (!UUID.test(id)) {
    throw new ProblemError("validation_failed", "The cursor is not one this API issued", [
      { path: "/cursor", message: "use the nextCursor of a previous page" },
    ]);
  }
  return id;
}

/** A page from rows fetched with `limit + 1`: the extra row only tells that another page exists. */
export function toPage<Row extends { id: string }>(rows: Row[], limit: number) {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
