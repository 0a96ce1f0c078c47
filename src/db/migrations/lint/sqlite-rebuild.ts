/**
 * What a SQLite table rebuild (drizzle-kit's copy and swap) does to the table's columns, read
 * from the in-memory database before and after its CREATE TABLE __new_x.
 */
import type { Database } from "bun:sqlite";
import type { Hit } from "./report";
import type { SqliteAction } from "./sqlite-statements";

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
}

export const columnsOf = (db: Database, table: string) =>
  new Map(
    db
      .query<ColumnInfo, [string]>("select * from pragma_table_info(?)")
      .all(table)
      .map((column) => [column.name.toLowerCase(), column]),
  );

export const uniqueIndexesOf = (db: Database, table: string) =>
  new Set(
    db
      .query<{ name: string }, [string]>('select name from pragma_index_list(?) where "unique" = 1')
      .all(table)
      .map((index) => index.name.toLowerCase()),
  );

/** text(254) -> { affinity: "text", length: 254 }, by SQLite's rules for declared types. */
function declaredType(type: string): { affinity: string; length: number } {
  const upper = type.toUpperCase();
  const length = Number(type.match(/\(\s*(\d+)/)?.[1] ?? Number.POSITIVE_INFINITY);
  if (upper.includes("INT")) return { affinity: "integer", length };
  if (/CHAR|CLOB|TEXT/.test(upper)) return { affinity: "text", length };
  if (upper.includes("BLOB") || upper.trim() === "") return { affinity: "blob", length };
  if (/REAL|FLOA|DOUB/.test(upper)) return { affinity: "real", length };
  return { affinity: "numeric", length };
}

/** Changes of declared type that existing values, or those the running app writes, may not fit. */
function narrowing(from: string, to: string): string | null {
  const before = declaredType(from);
  const after = declaredType(to);
  if (before.affinity === after.affinity)
    return after.length < before.length ? `from ${from} to ${to}, a shorter maximum length` : null;
  const lossy = ["text>integer", "text>real", "text>numeric", "real>integer", "numeric>integer"];
  return lossy.includes(`${before.affinity}>${after.affinity}`) ? `from ${from} to ${to}` : null;
}

/** What a rebuild does to the columns: compared from PRAGMA table_info before and after. */
export function columnChanges(
  table: string,
  before: Map<string, ColumnInfo>,
  after: Map<string, ColumnInfo>,
): Hit[] {
  const hits: Hit[] = [];
  const of = `rebuilding existing table "${table}"`;
  for (const [key, column] of before)
    if (!after.has(key)) hits.push(["drop-column", `${of} drops column "${column.name}"`]);
  for (const [key, column] of after) {
    const old = before.get(key);
    // INSERT ... SELECT copies NULLs as they are: a default does not help a column that was nullable.
    if (column.notnull === 1 && old !== undefined && old.notnull === 0)
      hits.push(["not-null-without-default", `${of} makes column "${column.name}" NOT NULL`]);
    if (column.notnull === 1 && old === undefined && column.dflt_value === null)
      hits.push([
        "not-null-without-default",
        `${of} adds NOT NULL column "${column.name}" without a default`,
      ]);
    const narrower = old === undefined ? null : narrowing(old.type, column.type);
    if (narrower !== null)
      hits.push(["narrow-type", `${of} changes column "${column.name}" ${narrower}`]);
  }
  return hits;
}

/** The indexes of the DROP and RENAME that complete a rebuild begun at `start`, if they follow. */
export function swapOf(
  actions: SqliteAction[],
  start: number,
  table: string,
  staging: string,
): number[] {
  const drop = actions.findIndex(
    (action, index) => index > start && action.kind === "drop-table" && action.table === table,
  );
  const rename = actions.findIndex(
    (action, index) =>
      index > drop &&
      action.kind === "rename-table" &&
      action.table === staging &&
      action.to === table,
  );
  return drop === -1 || rename === -1 ? [] : [drop, rename];
}
