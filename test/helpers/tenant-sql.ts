import { parseSync } from "libpg-query";

/**
 * Whether a SQL statement names its tenant on every tenant-owned table it touches, which is what
 * lets Citus send it to one shard: a top-level `tenant_id = <value>` in the WHERE of a SELECT,
 * UPDATE or DELETE (ANDed with anything), and a tenant_id value in each row an INSERT writes.
 * Statements are read by PostgreSQL's parser (libpg-query; load it first with
 * loadPostgresParser); SQLite's `?` placeholders are numbered like PostgreSQL's first.
 */

type Node = Record<string, unknown>;

export interface StatementScope {
  /** The tenant-owned tables the statement touches. */
  tables: string[];
  /** Why it does not name its tenant; empty when it does. */
  problems: string[];
}

const TENANT_COLUMN = "tenant_id";

const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const nodes = (value: unknown): Node[] => (Array.isArray(value) ? value.filter(isNode) : []);

/** SQLite's positional `?` as `$1`, `$2`…, outside quoted text and names. */
export function numberPlaceholders(statement: string): string {
  let output = "";
  let quote: string | undefined;
  let number = 0;
  for (const character of statement) {
    if (quote !== undefined) {
      if (character === quote) quote = undefined;
    } else if (character === "'" || character === '"' || character === "`") {
      quote = character;
    } else if (character === "?") {
      output += `$${++number}`;
      continue;
    }
    output += character;
  }
  return output;
}

/** A value the statement carries: a parameter or a non-null constant, perhaps cast. */
function isValue(node: unknown): boolean {
  if (!isNode(node)) return false;
  if (isNode(node.ParamRef)) return true;
  if (isNode(node.A_Const)) return node.A_Const.isnull !== true;
  if (isNode(node.TypeCast)) return isValue(node.TypeCast.arg);
  return false;
}

function conjuncts(where: unknown): Node[] {
  if (!isNode(where)) return [];
  const bool = where.BoolExpr;
  if (isNode(bool) && bool.boolop === "AND_EXPR") return nodes(bool.args).flatMap(conjuncts);
  return [where];
}

interface Relation {
  node: Node;
  name: string;
  /** What its columns are qualified with: its alias, else its name. */
  qualifier: string;
}

function relationOf(rangeVar: Node): Relation {
  const name = String(rangeVar.relname);
  const alias = isNode(rangeVar.alias) ? rangeVar.alias.aliasname : undefined;
  return { node: rangeVar, name, qualifier: typeof alias === "string" ? alias : name };
}

/** The tables of a FROM (or USING) list, through joins; subqueries are checked on their own. */
function relationsIn(items: unknown): Relation[] {
  return nodes(items).flatMap((item): Relation[] => {
    if (isNode(item.RangeVar)) return [relationOf(item.RangeVar)];
    const join = item.JoinExpr;
    if (isNode(join)) return relationsIn([join.larg, join.rarg]);
    return [];
  });
}

function namesTenantOf(column: unknown, relation: Relation, alone: boolean): boolean {
  if (!isNode(column) || !isNode(column.ColumnRef)) return false;
  const fields = nodes(column.ColumnRef.fields).map((field) =>
    isNode(field.String) ? field.String.sval : undefined,
  );
  if (fields.at(-1) !== TENANT_COLUMN) return false;
  return fields.length === 1 ? alone : fields.at(-2) === relation.qualifier;
}

function hasTenantCondition(where: unknown, relation: Relation, alone: boolean): boolean {
  return conjuncts(where).some((conjunct) => {
    const expression = conjunct.A_Expr;
    if (!isNode(expression) || expression.kind !== "AEXPR_OP") return false;
    const operator = nodes(expression.name).map((part) =>
      isNode(part.String) ? part.String.sval : undefined,
    );
    if (operator.join() !== "=") return false;
    const { lexpr, rexpr } = expression;
    return (
      (namesTenantOf(lexpr, relation, alone) && isValue(rexpr)) ||
      (namesTenantOf(rexpr, relation, alone) && isValue(lexpr))
    );
  });
}

/** Calls `visit` with every property of every object in the tree, depth first. */
function walk(value: unknown, visit: (key: string, node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (!isNode(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (isNode(child)) visit(key, child);
    walk(child, visit);
  }
}

export function statementScope(
  statement: string,
  tenantOwned: ReadonlySet<string>,
): StatementScope {
  let tree: unknown;
  try {
    tree = parseSync(statement);
  } catch (error) {
    return { tables: [], problems: [`does not parse: ${(error as Error).message}`] };
  }
  const owned = (relation: Relation) => tenantOwned.has(relation.name);
  const touched: Relation[] = [];
  const checked = new Set<Node>();
  const problems: string[] = [];

  const requireCondition = (relations: Relation[], where: unknown, verb: string) => {
    for (const relation of relations.filter(owned)) {
      checked.add(relation.node);
      if (!hasTenantCondition(where, relation, relations.length === 1))
        problems.push(`${verb} on ${relation.name} without tenant_id = <value> in its WHERE`);
    }
  };
  const checkInsert = (insert: Node) => {
    if (!isNode(insert.relation)) return;
    const relation = relationOf(insert.relation);
    if (!owned(relation)) return;
    checked.add(relation.node);
    const columns = nodes(insert.cols).map((column) =>
      isNode(column.ResTarget) ? column.ResTarget.name : undefined,
    );
    const position = columns.indexOf(TENANT_COLUMN);
    const select = isNode(insert.selectStmt) ? insert.selectStmt.SelectStmt : undefined;
    const rows = isNode(select) ? nodes(select.valuesLists) : [];
    if (position === -1) problems.push(`INSERT into ${relation.name} without a tenant_id column`);
    else if (rows.length === 0)
      problems.push(`INSERT into ${relation.name} whose tenant_id is not a value it carries`);
    for (const row of rows) {
      const items = isNode(row.List) ? row.List.items : [];
      if (position !== -1 && !isValue(nodes(items)[position]))
        problems.push(`INSERT into ${relation.name} with a row whose tenant_id is not a value`);
    }
  };

  walk(tree, (key, node) => {
    if (key === "RangeVar" || (key === "relation" && typeof node.relname === "string")) {
      const relation = relationOf(node);
      if (owned(relation)) touched.push(relation);
    }
    switch (key) {
      case "SelectStmt":
        requireCondition(relationsIn(node.fromClause), node.whereClause, "SELECT");
        break;
      case "UpdateStmt":
      case "DeleteStmt": {
        if (!isNode(node.relation)) break;
        const extra = key === "UpdateStmt" ? node.fromClause : node.usingClause;
        const verb = key === "UpdateStmt" ? "UPDATE" : "DELETE";
        requireCondition(
          [relationOf(node.relation), ...relationsIn(extra)],
          node.whereClause,
          verb,
        );
        break;
      }
      case "InsertStmt":
        checkInsert(node);
        break;
    }
  });
  for (const relation of touched) {
    if (!checked.has(relation.node))
      problems.push(`${relation.name} is used where the check cannot see a tenant_id condition`);
  }
  return { tables: [...new Set(touched.map((relation) => relation.name))].sort(), problems };
}
