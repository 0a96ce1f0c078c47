/**
 * The SQLite rules. The earlier migrations are replayed into an in-memory database (bun:sqlite),
 * and so is the linted file, statement by statement: SQLite's own parser judges the syntax, and
 * PRAGMA table_info shows what a table rebuild changes.
 */
import { Database } from "bun:sqlite";
import { assertUnreachable } from "../../../lib/assert";
import type { Detection, Hit } from "./report";
import { isReplayed, type SqliteAction, sqliteAction } from "./sqlite-statements";
import { type SqlStatement, sqliteStatements } from "./statements";

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
}

/** drizzle-kit's copy-and-swap: CREATE TABLE __new_x, INSERT ... SELECT, DROP x, RENAME. */
const REBUILD_PREFIX = "__new_";

const TABLES = "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'";

const SYNTAX_ERROR = /syntax error|incomplete input|unrecognized token/i;

function run(db: Database, statement: SqlStatement): void {
  if (!isReplayed(statement.tokens)) return;
  try {
    db.run(statement.text);
  } catch {
    // A statement that fails here fails for a reason the rules do not judge (or judged
    // already): the model just goes on without it.
  }
}

function syntaxError(db: Database, statement: SqlStatement): string | null {
  try {
    db.prepare(statement.text).finalize();
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return SYNTAX_ERROR.test(message) ? message : null;
  }
}

const columnsOf = (db: Database, table: string) =>
  new Map(
    db
      .query<ColumnInfo, [string]>("select * from pragma_table_info(?)")
      .all(table)
      .map((column) => [column.name.toLowerCase(), column]),
  );

const uniqueIndexesOf = (db: Database, table: string) =>
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
function columnChanges(
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
function swapOf(actions: SqliteAction[], start: number, table: string, staging: string): number[] {
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

/** The state of a linted file: the database replayed so far, and which tables are existing. */
interface FileState {
  db: Database;
  actions: SqliteAction[];
  /** Tables earlier migrations made (lower-cased), as the file renames and drops them. */
  existing: Set<string>;
  /** The DROP and RENAME statements that complete a rebuild: its finding covers them. */
  swapParts: Set<number>;
  /** The unique indexes of rebuilt tables: recreating them after the swap adds nothing. */
  rebuiltUnique: Map<string, Set<string>>;
}

/** A copy-and-swap rebuild of an existing table that begins at this statement, or null. */
function rebuildHits(state: FileState, index: number, statement: SqlStatement): Hit[] | null {
  const action = state.actions[index];
  if (action?.kind !== "create-table" || !action.table.startsWith(REBUILD_PREFIX)) return null;
  const table = action.table.slice(REBUILD_PREFIX.length);
  const swap = state.existing.has(table) ? swapOf(state.actions, index, table, action.table) : [];
  if (swap.length === 0) return null;
  for (const part of swap) state.swapParts.add(part);
  const before = columnsOf(state.db, table);
  state.rebuiltUnique.set(table, uniqueIndexesOf(state.db, table));
  run(state.db, statement);
  return [
    [
      "table-rebuild",
      `rebuilds existing table "${table}" (copy and swap through "${action.table}")`,
    ],
    ...columnChanges(table, before, columnsOf(state.db, action.table)),
  ];
}

function actionHits(action: SqliteAction, state: FileState): Hit[] {
  if (action.kind === "other" || !state.existing.has(action.table)) return [];
  const table = `"${action.table}"`;
  switch (action.kind) {
    case "drop-table":
      return [["drop-table", `drops existing table ${table}`]];
    case "rename-table":
      return [["rename", `renames existing table ${table} to "${action.to}"`]];
    case "rename-column":
      return [["rename", `renames column ${table}."${action.column}" to "${action.to}"`]];
    case "drop-column":
      return [["drop-column", `drops column ${table}."${action.column}"`]];
    case "add-column":
      return action.notNull && !action.hasDefault
        ? [
            [
              "not-null-without-default",
              `adds NOT NULL column ${table}."${action.column}" without a default`,
            ],
          ]
        : [];
    case "create-index":
      return action.unique && state.rebuiltUnique.get(action.table)?.has(action.index) !== true
        ? [["add-unique", `creates unique index "${action.index}" on existing table ${table}`]]
        : [];
    case "create-table":
      return [];
    default:
      return assertUnreachable(action);
  }
}

/** Which tables are existing after a statement: a created table is new, a renamed one keeps its rows. */
function track(action: SqliteAction, existing: Set<string>): void {
  if (action.kind === "create-table" || action.kind === "drop-table") {
    existing.delete(action.table);
  } else if (action.kind === "rename-table" && existing.delete(action.table)) {
    existing.add(action.to);
  }
}

/** The findings of one SQLite migration, given the up files of the migrations before it. */
export function lintSqlite(text: string, earlier: string[]): Detection[] {
  const db = new Database(":memory:");
  try {
    for (const earlierText of earlier)
      for (const statement of sqliteStatements(earlierText)) run(db, statement);
    const statements = sqliteStatements(text);
    const state: FileState = {
      db,
      actions: statements.map((statement) => sqliteAction(statement.tokens)),
      existing: new Set(
        db
          .query<{ name: string }, []>(TABLES)
          .all()
          .map((table) => table.name.toLowerCase()),
      ),
      swapParts: new Set(),
      rebuiltUnique: new Map(),
    };
    const detections: Detection[] = [];
    for (const [index, statement] of statements.entries()) {
      const found = (hits: Hit[]) => {
        for (const [rule, what] of hits) detections.push({ rule, line: statement.line, what });
      };
      const error = syntaxError(db, statement);
      if (error !== null) {
        found([["syntax-error", `does not parse (${error})`]]);
        continue;
      }
      const action = state.actions[index] ?? { kind: "other" };
      if (state.swapParts.has(index)) {
        run(db, statement);
        continue;
      }
      const rebuild = rebuildHits(state, index, statement);
      if (rebuild !== null) {
        found(rebuild);
        continue;
      }
      found(actionHits(action, state));
      run(db, statement);
      track(action, state.existing);
    }
    return detections;
  } finally {
    db.close();
  }
}
