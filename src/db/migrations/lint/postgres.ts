/** The PostgreSQL rules: each statement of a file against the schema earlier migrations built. */
import type { Node, VariableSetStmt } from "libpg-query";
import { runsOutsideTransaction } from "../files";
import { alterTableHits, alterTableLock } from "./postgres-alter";
import { droppedKey, nodeOf, quoted, relationKey } from "./postgres-ast";
import { type PostgresStatement, parsePostgresFile } from "./postgres-parse";
import { PostgresSchema } from "./postgres-schema";
import type { Detection, Hit } from "./report";

interface FileState {
  schema: PostgresSchema;
  /** The file's first line is `-- migrate:no-transaction`. */
  noTransaction: boolean;
  /** A `SET lock_timeout` earlier in the file is in force. */
  lockTimeout: boolean;
}

/** What a statement does: the rules it hits, and the write-blocking lock it takes on a table. */
interface Effect {
  hits: Hit[];
  lock: { table: string; mode: string } | null;
}

const NONE: Effect = { hits: [], lock: null };
const ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE";
/** LOCK TABLE's modes by number; from SHARE (5) up they block writes. */
const LOCK_MODES = [
  "",
  "",
  "",
  "",
  "",
  "SHARE",
  "SHARE ROW EXCLUSIVE",
  "EXCLUSIVE",
  ACCESS_EXCLUSIVE,
];

const lockOn = (table: string | null | undefined, mode: string) =>
  table == null ? null : { table, mode };

/** CONCURRENTLY fails in a transaction block: the file's, or the one a multi-statement chunk is. */
function concurrently(what: string, statement: PostgresStatement, state: FileState): Effect {
  if (!state.noTransaction)
    return {
      hits: [["concurrently-in-transaction", `${what} runs in the migration's transaction`]],
      lock: null,
    };
  if (statement.chunkSize === 1) return NONE;
  const shared = `${what} shares its chunk with other statements, which run as one transaction block`;
  return { hits: [["concurrently-in-transaction", shared]], lock: null };
}

function dropEffect(statement: PostgresStatement, state: FileState): Effect {
  const drop = nodeOf(statement.node, "DropStmt");
  const objects = drop?.objects ?? [];
  if (drop?.removeType === "OBJECT_TABLE") {
    const existing = objects.map(droppedKey).filter((key) => state.schema.isExisting(key));
    return {
      hits: existing.map(
        (table): Hit => ["drop-table", `drops existing table ${quoted(table ?? "")}`],
      ),
      lock: lockOn(existing[0], ACCESS_EXCLUSIVE),
    };
  }
  if (drop?.removeType !== "OBJECT_INDEX") return NONE;
  if (drop.concurrent) return concurrently("DROP INDEX CONCURRENTLY", statement, state);
  const tables = objects.map((object) => state.schema.tableOfIndex(object));
  const table = tables.find((key) => state.schema.isExisting(key));
  return { hits: [], lock: lockOn(table, ACCESS_EXCLUSIVE) };
}

function renameEffect(statement: PostgresStatement, state: FileState): Effect {
  const rename = nodeOf(statement.node, "RenameStmt");
  const table = relationKey(rename?.relation);
  if (rename === undefined || table === null || !state.schema.isExisting(table)) return NONE;
  const lock = lockOn(table, ACCESS_EXCLUSIVE);
  switch (rename.renameType) {
    case "OBJECT_TABLE":
      return {
        hits: [["rename", `renames existing table ${quoted(table)} to "${rename.newname}"`]],
        lock,
      };
    case "OBJECT_COLUMN": {
      const what = `renames column ${quoted(table)}."${rename.subname}" to "${rename.newname}"`;
      return { hits: [["rename", what]], lock };
    }
    case "OBJECT_TABCONSTRAINT":
      return { hits: [], lock };
    default:
      return NONE;
  }
}

function alterEffect(statement: PostgresStatement, state: FileState): Effect {
  const alter = nodeOf(statement.node, "AlterTableStmt");
  const table = relationKey(alter?.relation);
  if (alter?.objtype !== "OBJECT_TABLE" || table === null || !state.schema.isExisting(table))
    return NONE;
  const commands = (alter.cmds ?? []).flatMap((command) => nodeOf(command, "AlterTableCmd") ?? []);
  const modes = commands.map(alterTableLock).filter((mode) => mode !== null);
  // VALIDATE CONSTRAINT and the like alone block no writes: no lock to time out.
  const mode = modes.includes(ACCESS_EXCLUSIVE) ? ACCESS_EXCLUSIVE : modes[0];
  return {
    hits: commands.flatMap((command) => alterTableHits(table, command, state.schema)),
    lock: mode === undefined ? null : lockOn(table, mode),
  };
}

function effectOf(statement: PostgresStatement, state: FileState): Effect {
  const { node } = statement;
  const { schema } = state;
  const index = nodeOf(node, "IndexStmt");
  if (index !== undefined) {
    if (index.concurrent) {
      const what = `CREATE ${index.unique ? "UNIQUE " : ""}INDEX CONCURRENTLY`;
      return concurrently(what, statement, state);
    }
    const table = relationKey(index.relation);
    if (!schema.isExisting(table)) return NONE;
    const what = `creates index "${index.idxname ?? "unnamed"}" on existing table ${quoted(table ?? "")}`;
    return { hits: [[index.unique ? "add-unique" : "index-not-concurrent", what]], lock: null };
  }
  const reindex = nodeOf(node, "ReindexStmt");
  if (reindex !== undefined) {
    const options = (reindex.params ?? []).map((param) => nodeOf(param, "DefElem")?.defname);
    return options.includes("concurrently")
      ? concurrently("REINDEX CONCURRENTLY", statement, state)
      : NONE;
  }
  if (nodeOf(node, "DropStmt") !== undefined) return dropEffect(statement, state);
  if (nodeOf(node, "RenameStmt") !== undefined) return renameEffect(statement, state);
  if (nodeOf(node, "AlterTableStmt") !== undefined) return alterEffect(statement, state);
  const truncate = nodeOf(node, "TruncateStmt");
  const lock = nodeOf(node, "LockStmt");
  const mode = truncate !== undefined ? ACCESS_EXCLUSIVE : LOCK_MODES[lock?.mode ?? 0];
  if (mode === undefined || mode === "") return NONE;
  const relations = (truncate?.relations ?? lock?.relations ?? []).map((relation) =>
    relationKey(nodeOf(relation, "RangeVar")),
  );
  return {
    hits: [],
    lock: lockOn(
      relations.find((table) => schema.isExisting(table)),
      mode,
    ),
  };
}

/** How a finding names a statement that takes a lock. */
function statementName(node: Node): string {
  const drop = nodeOf(node, "DropStmt");
  if (drop !== undefined) return drop.removeType === "OBJECT_INDEX" ? "DROP INDEX" : "DROP TABLE";
  if (nodeOf(node, "TruncateStmt") !== undefined) return "TRUNCATE";
  if (nodeOf(node, "LockStmt") !== undefined) return "LOCK TABLE";
  return "ALTER TABLE";
}

/** Whether a SET of lock_timeout leaves a timeout in force. */
function setsLockTimeout(set: VariableSetStmt, state: FileState): boolean {
  if (set.kind !== "VAR_SET_VALUE") return false;
  // SET LOCAL outside a transaction block lasts only for its own statement.
  if (set.is_local && state.noTransaction) return false;
  const value = nodeOf(set.args?.[0], "A_Const");
  // libpg-query leaves out a zero: { ival: {} } is 0, which turns the timeout off.
  const setting = value?.sval?.sval ?? String(value?.ival?.ival ?? 0);
  return !/^\s*0+(\.0*)?\s*[a-z]*\s*$/i.test(setting);
}

const isLockTimeoutSet = (node: Node) => {
  const set = nodeOf(node, "VariableSetStmt");
  return set !== undefined && (set.name === "lock_timeout" || set.kind === "VAR_RESET_ALL")
    ? set
    : null;
};

/** The findings of one PostgreSQL migration, given the up files of the migrations before it. */
export function lintPostgres(text: string, earlier: string[]): Detection[] {
  const schema = new PostgresSchema();
  for (const earlierText of earlier)
    for (const statement of parsePostgresFile(earlierText).statements) schema.apply(statement.node);
  schema.markAllExisting();

  const parsed = parsePostgresFile(text);
  const detections: Detection[] = parsed.syntaxErrors.map((error) => ({
    rule: "syntax-error",
    line: error.line,
    what: `does not parse (${error.message})`,
  }));
  const state: FileState = {
    schema,
    noTransaction: runsOutsideTransaction(text),
    lockTimeout: false,
  };
  for (const statement of parsed.statements) {
    const { hits, lock } = effectOf(statement, state);
    for (const [rule, what] of hits) detections.push({ rule, line: statement.line, what });
    if (lock !== null && !state.lockTimeout) {
      const what = `${statementName(statement.node)} takes the ${lock.mode} lock on existing table ${quoted(lock.table)}`;
      detections.push({ rule: "missing-lock-timeout", line: statement.line, what });
    }
    const set = isLockTimeoutSet(statement.node);
    if (set !== null) state.lockTimeout = setsLockTimeout(set, state);
    schema.apply(statement.node);
  }
  return detections;
}
