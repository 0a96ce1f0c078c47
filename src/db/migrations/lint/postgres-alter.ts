/** The rules for ALTER TABLE on an existing PostgreSQL table, one subcommand at a time. */
import type { AlterTableCmd, ColumnDef, Constraint, Node } from "libpg-query";
import {
  columnType,
  descendants,
  describeType,
  isSerial,
  nodeOf,
  quoted,
  strings,
} from "./postgres-ast";
import type { PostgresSchema } from "./postgres-schema";
import { narrowing, rewrites } from "./postgres-types";
import type { Hit } from "./report";

/**
 * Functions whose value differs per row: as an ADD COLUMN default, PostgreSQL computes one per
 * existing row, rewriting the table (a constant or now() is stored once in the catalog).
 */
const VOLATILE_FUNCTIONS = new Set([
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "random",
  "random_normal",
  "clock_timestamp",
  "timeofday",
  "nextval",
]);

/** Subcommands that take a lock weaker than SHARE ROW EXCLUSIVE: reads and writes go on. */
const NON_BLOCKING_SUBTYPES = new Set([
  "AT_ValidateConstraint",
  "AT_SetStatistics",
  "AT_SetOptions",
  "AT_ResetOptions",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_AttachPartition",
]);

const constraintsOf = (column: ColumnDef): Constraint[] =>
  (column.constraints ?? []).flatMap((node) => {
    const constraint = nodeOf(node, "Constraint");
    return constraint === undefined ? [] : [constraint];
  });

function volatileDefault(column: ColumnDef, constraints: Constraint[]): string | null {
  if (isSerial(column.typeName)) return `the serial type ${strings(column.typeName?.names).at(-1)}`;
  for (const constraint of constraints) {
    if (constraint.contype === "CONSTR_IDENTITY") return "an identity";
    if (constraint.contype === "CONSTR_GENERATED") return "a stored generated expression";
    if (constraint.contype !== "CONSTR_DEFAULT") continue;
    for (const node of descendants(constraint.raw_expr)) {
      const call = node.FuncCall as { funcname?: Node[] } | undefined;
      const name = strings(call?.funcname).at(-1);
      if (name !== undefined && VOLATILE_FUNCTIONS.has(name)) return `the default ${name}()`;
    }
  }
  return null;
}

function addColumn(table: string, column: ColumnDef): Hit[] {
  const name = `${quoted(table)}."${column.colname ?? "?"}"`;
  const constraints = constraintsOf(column);
  const has = (...types: string[]) =>
    constraints.some((constraint) => types.includes(constraint.contype ?? ""));
  const volatile = volatileDefault(column, constraints);
  const hits: Hit[] = [];
  if (has("CONSTR_NOTNULL", "CONSTR_PRIMARY") && !has("CONSTR_DEFAULT") && volatile === null)
    hits.push(["not-null-without-default", `adds NOT NULL column ${name} without a default`]);
  if (volatile !== null) hits.push(["volatile-default", `adds column ${name} with ${volatile}`]);
  if (has("CONSTR_UNIQUE", "CONSTR_PRIMARY", "CONSTR_EXCLUSION"))
    hits.push(["add-unique", `adds column ${name} with a unique constraint`]);
  if (has("CONSTR_FOREIGN"))
    hits.push(["fk-not-valid", `adds column ${name} with an inline REFERENCES (never NOT VALID)`]);
  if (has("CONSTR_CHECK"))
    hits.push(["check-not-valid", `adds column ${name} with an inline CHECK (never NOT VALID)`]);
  return hits;
}

function alterType(
  table: string,
  command: AlterTableCmd,
  column: ColumnDef | undefined,
  schema: PostgresSchema,
): Hit[] {
  const name = `${quoted(table)}."${command.name ?? "?"}"`;
  const before = schema.typeOf(table, command.name ?? "");
  const after = columnType(column?.typeName);
  if (before == null || after === null) {
    const target = after === null ? "another type" : describeType(after);
    return [
      ["column-type-rewrite", `changes ${name} to ${target} from a type the linter cannot read`],
    ];
  }
  const change = `changes ${name} from ${describeType(before)} to ${describeType(after)}`;
  const hits: Hit[] = [];
  const narrower = narrowing(before, after);
  if (narrower !== null) hits.push(["narrow-type", `${change}, ${narrower}`]);
  if (column?.raw_default !== undefined)
    hits.push(["column-type-rewrite", `${change} with a USING expression`]);
  else if (rewrites(before, after)) hits.push(["column-type-rewrite", change]);
  return hits;
}

function addConstraint(table: string, constraint: Constraint | undefined): Hit[] {
  const name = `constraint "${constraint?.conname ?? "unnamed"}" to ${quoted(table)}`;
  switch (constraint?.contype) {
    case "CONSTR_UNIQUE":
    case "CONSTR_PRIMARY":
      // USING INDEX adopts an index built CONCURRENTLY before: the safe way.
      return constraint.indexname === undefined
        ? [["add-unique", `adds unique ${name} without USING INDEX`]]
        : [];
    case "CONSTR_EXCLUSION":
      return [["add-unique", `adds exclusion ${name}`]];
    case "CONSTR_FOREIGN":
      return constraint.skip_validation ? [] : [["fk-not-valid", `adds foreign key ${name}`]];
    case "CONSTR_CHECK":
      return constraint.skip_validation ? [] : [["check-not-valid", `adds check ${name}`]];
    case "CONSTR_NOTNULL":
      return [["not-null-without-default", `adds NOT NULL ${name}`]];
    default:
      return [];
  }
}

/** What one ALTER TABLE subcommand on an existing table does that the rules catch. */
export function alterTableHits(
  table: string,
  command: AlterTableCmd,
  schema: PostgresSchema,
): Hit[] {
  const column = nodeOf(command.def, "ColumnDef");
  const columnName = `${quoted(table)}."${command.name ?? "?"}"`;
  switch (command.subtype) {
    case "AT_AddColumn":
      return column === undefined ? [] : addColumn(table, column);
    case "AT_DropColumn":
      return [["drop-column", `drops column ${columnName}`]];
    case "AT_AlterColumnType":
      return alterType(table, command, column, schema);
    case "AT_SetNotNull":
      return [
        ["not-null-without-default", `sets NOT NULL on ${columnName}, which scans every row`],
      ];
    case "AT_AddConstraint":
      return addConstraint(table, nodeOf(command.def, "Constraint"));
    default:
      return [];
  }
}

/** The lock an ALTER TABLE subcommand holds that blocks writes, or null when it blocks none. */
export function alterTableLock(command: AlterTableCmd): string | null {
  if (NON_BLOCKING_SUBTYPES.has(command.subtype ?? "")) return null;
  if (command.subtype === "AT_DetachPartition")
    return nodeOf(command.def, "PartitionCmd")?.concurrent ? null : "ACCESS EXCLUSIVE";
  const constraint = nodeOf(command.def, "Constraint");
  return constraint?.contype === "CONSTR_FOREIGN" ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
}
