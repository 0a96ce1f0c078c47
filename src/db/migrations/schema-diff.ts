import type { Database as BunSqlite } from "bun:sqlite";
import { describeSqliteSchema } from "./sqlite-shape";

/** One object of a schema: a column, constraint, index or enum of a table. */
export interface SchemaItem {
  table: string;
  kind: string;
  name: string;
  definition: string;
}

/** The SQLite description flattened to the items the PostgreSQL one has. */
export function sqliteSchemaItems(sqlite: BunSqlite): SchemaItem[] {
  return describeSqliteSchema(sqlite).flatMap((table) => [
    ...(
      table.columns as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: unknown;
        pk: number;
      }[]
    ).map((column) => ({
      table: table.name,
      kind: "column",
      name: column.name,
      definition: `${column.type}${column.notnull ? " not null" : ""}${column.pk ? " primary key" : ""}${column.dflt_value === null ? "" : ` default ${column.dflt_value}`}`,
    })),
    ...table.indexes.map((index) => ({
      table: table.name,
      kind: "index",
      name:
        index.name === "(automatic)" ? `(automatic on ${index.columns.join(", ")})` : index.name,
      definition: `${index.unique ? "unique " : ""}(${index.columns.join(", ")})${index.partial ? " partial" : ""}`,
    })),
    ...table.foreignKeys.map((key) => ({
      table: table.name,
      kind: "foreign key",
      name: JSON.stringify(key),
      definition: "",
    })),
    ...table.checks.map((name) => ({
      table: table.name,
      kind: "check",
      name: String(name),
      definition: "",
    })),
  ]);
}

/**
 * What differs between the live database and the one the migrations build, one line per item,
 * at most `limit` lines (and a count of the rest).
 */
export function schemaDifferences(
  live: SchemaItem[],
  expected: SchemaItem[],
  limit = 20,
): string[] {
  const key = (item: SchemaItem) => `${item.table}\u0000${item.kind}\u0000${item.name}`;
  const liveByKey = new Map(live.map((item) => [key(item), item]));
  const expectedByKey = new Map(expected.map((item) => [key(item), item]));
  const label = (item: SchemaItem) => `${item.table}: ${item.kind} ${item.name}`;
  const differences: string[] = [];
  for (const [itemKey, item] of expectedByKey) {
    const found = liveByKey.get(itemKey);
    if (found === undefined) differences.push(`${label(item)} is missing from the database`);
    else if (found.definition !== item.definition) {
      differences.push(
        `${label(item)} is "${found.definition}" in the database, "${item.definition}" in the migrations`,
      );
    }
  }
  for (const [itemKey, item] of liveByKey) {
    if (!expectedByKey.has(itemKey))
      differences.push(`${label(item)} is in the database but in no migration`);
  }
  if (differences.length <= limit) return differences;
  return [...differences.slice(0, limit), `... and ${differences.length - limit} more`];
}
