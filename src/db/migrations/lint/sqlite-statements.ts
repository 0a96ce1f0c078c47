/**
 * What a SQLite statement does, read from its tokens: the statements drizzle-kit emits (CREATE
 * and DROP TABLE, ALTER TABLE ADD/DROP/RENAME, CREATE [UNIQUE] INDEX, the rebuild's INSERT) and
 * the same by hand. Anything else is "other": SQLite itself still checks its syntax.
 */
import { isName, isSymbol, isWord, type Token } from "./tokens";

export type SqliteAction =
  | { kind: "create-table"; table: string }
  | { kind: "drop-table"; table: string }
  | { kind: "rename-table"; table: string; to: string }
  | { kind: "rename-column"; table: string; column: string; to: string }
  | { kind: "add-column"; table: string; column: string; notNull: boolean; hasDefault: boolean }
  | { kind: "drop-column"; table: string; column: string }
  | { kind: "create-index"; table: string; index: string; unique: boolean }
  | { kind: "other" };

const OTHER: SqliteAction = { kind: "other" };

/** Statements the linter replays in its in-memory database; ATTACH, PRAGMA and the like never. */
const REPLAYED = new Set(["create", "drop", "alter", "insert", "replace", "update", "delete"]);

export const isReplayed = (tokens: Token[]) =>
  tokens[0]?.kind === "word" && REPLAYED.has(tokens[0].value);

/** SQLite compares names without regard to case. */
const nameOf = (token: Token | undefined) =>
  isName(token) ? (token?.value ?? "").toLowerCase() : "";

/** A possibly schema-qualified name at `at`: its last part and the index after it. */
function qualifiedName(tokens: Token[], at: number): { name: string; next: number } {
  if (isSymbol(tokens[at + 1], ".")) return { name: nameOf(tokens[at + 2]), next: at + 3 };
  return { name: nameOf(tokens[at]), next: at + 1 };
}

/** Skips IF [NOT] EXISTS. */
function skipIfExists(tokens: Token[], at: number): number {
  if (!isWord(tokens[at], "if")) return at;
  return isWord(tokens[at + 1], "not") ? at + 3 : at + 2;
}

/** NOT NULL and DEFAULT (or a generated value) among a column definition's top-level tokens. */
function columnConstraints(tokens: Token[]): { notNull: boolean; hasDefault: boolean } {
  let depth = 0;
  let notNull = false;
  let hasDefault = false;
  for (const [index, token] of tokens.entries()) {
    if (isSymbol(token, "(")) depth += 1;
    else if (isSymbol(token, ")")) depth -= 1;
    else if (depth > 0) continue;
    else if (isWord(token, "not") && isWord(tokens[index + 1], "null")) notNull = true;
    else if (isWord(token, "default", "generated", "as")) hasDefault = true;
  }
  return { notNull, hasDefault };
}

function alterTable(tokens: Token[]): SqliteAction {
  const { name: table, next } = qualifiedName(tokens, 2);
  const verb = tokens[next];
  const afterColumn = isWord(tokens[next + 1], "column") ? next + 2 : next + 1;
  if (isWord(verb, "rename")) {
    if (isWord(tokens[next + 1], "to"))
      return { kind: "rename-table", table, to: nameOf(tokens[next + 2]) };
    return {
      kind: "rename-column",
      table,
      column: nameOf(tokens[afterColumn]),
      to: nameOf(tokens[afterColumn + 2]),
    };
  }
  if (isWord(verb, "drop"))
    return { kind: "drop-column", table, column: nameOf(tokens[afterColumn]) };
  if (isWord(verb, "add")) {
    const definition = tokens.slice(afterColumn);
    return {
      kind: "add-column",
      table,
      column: nameOf(definition[0]),
      ...columnConstraints(definition.slice(1)),
    };
  }
  return OTHER;
}

function createIndex(tokens: Token[], unique: boolean): SqliteAction {
  const { name: index, next } = qualifiedName(tokens, skipIfExists(tokens, unique ? 3 : 2));
  if (!isWord(tokens[next], "on")) return OTHER;
  return { kind: "create-index", table: nameOf(tokens[next + 1]), index, unique };
}

export function sqliteAction(tokens: Token[]): SqliteAction {
  const [first, second, third] = tokens;
  if (isWord(first, "alter") && isWord(second, "table")) return alterTable(tokens);
  if (isWord(first, "drop") && isWord(second, "table"))
    return { kind: "drop-table", table: qualifiedName(tokens, skipIfExists(tokens, 2)).name };
  if (!isWord(first, "create")) return OTHER;
  if (isWord(second, "index")) return createIndex(tokens, false);
  if (isWord(second, "unique") && isWord(third, "index")) return createIndex(tokens, true);
  const tableAt = isWord(second, "temp", "temporary") ? 2 : 1;
  if (!isWord(tokens[tableAt], "table")) return OTHER;
  return {
    kind: "create-table",
    table: qualifiedName(tokens, skipIfExists(tokens, tableAt + 1)).name,
  };
}
