/**
 * The SQLite rules. The earlier migrations are replayed into an in-memory database (bun:sqlite),
 * and so is the linted file, statement by statement: SQLite's own parser judges the syntax, and
 * PRAGMA table_info shows what a table rebuild changes.
 */
import { Database } from "bun:sqlite";
import { assertUnreachable } from "../../../lib/assert";
import type { Detection, Hit } from "./report";
import { columnChanges, columnsOf, swapOf, uniqueIndexesOf } from "./sqlite-rebuild";
import { isReplayed, type SqliteAction, sqliteAction } from "./sqlite-statements";
import { type SqlStatement, sqliteStatements } from "./statements";

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
