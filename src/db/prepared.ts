import {
  type Column,
  getTableColumns,
  is,
  type Placeholder,
  SQL,
  sql,
  type Table,
} from "drizzle-orm";

/**
 * Placeholders named after the given keys, for the values of a prepared insert or the SET of a
 * prepared update: building a write's SQL costs more than running it on SQLite.
 */
export function placeholders<const K extends string>(
  keys: readonly K[],
  prefix = "",
): Record<K, Placeholder> {
  return Object.fromEntries(keys.map((key) => [key, sql.placeholder(`${prefix}${key}`)])) as Record<
    K,
    Placeholder
  >;
}

// Per table, the columns whose default the app computes (`$defaultFn`: ids, timestamps), found
// once: appDefaults runs on every insert.
const appDefaultColumns = new WeakMap<Table, [string, Column][]>();

function columnsWithAppDefault(table: Table): [string, Column][] {
  let found = appDefaultColumns.get(table);
  if (found === undefined) {
    found = (Object.entries(getTableColumns(table)) as [string, Column][]).filter(
      ([, column]) => column.defaultFn !== undefined,
    );
    appDefaultColumns.set(table, found);
  }
  return found;
}

/**
 * Placeholders for a prepared insert: the given keys, and every column whose default the app
 * computes, which drizzle would otherwise compute once, when the statement is built. A prefix
 * keeps apart the placeholders of two inserts in one statement.
 */
export function insertPlaceholders<const K extends string>(
  table: Table,
  keys: readonly K[],
  prefix = "",
): Record<K, Placeholder> {
  const computed = columnsWithAppDefault(table).map(([key]) => key as K);
  return placeholders([...new Set([...computed, ...keys])], prefix);
}

/**
 * The values of the columns whose default the app computes. A prepared insert is built once, so
 * drizzle cannot compute them per row; this does, from the schema, so that the defaults stay
 * written in one place.
 */
export function appDefaults(table: Table): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, column] of columnsWithAppDefault(table)) values[key] = column.defaultFn?.();
  return values;
}

// Per table, the schema's literal defaults, found once.
const literalDefaults = new WeakMap<Table, Record<string, unknown>>();

/**
 * appDefaults, and the schema's literal defaults (`.default("member")`): every value a new row
 * gets without being given it, so that a row is known before it is written. An SQL default (one
 * the database computes) is left to the database.
 */
export function rowDefaults(table: Table): Record<string, unknown> {
  let literals = literalDefaults.get(table);
  if (literals === undefined) {
    literals = {};
    for (const [key, column] of Object.entries(getTableColumns(table)) as [string, Column][]) {
      if (column.default !== undefined && !is(column.default, SQL)) literals[key] = column.default;
    }
    literalDefaults.set(table, literals);
  }
  return { ...literals, ...appDefaults(table) };
}

/**
 * One prepared statement per set of keys (a PATCH's fields, sorted), built on first use. The keys
 * come from validated bodies, so there are at most 2^n of them.
 */
export function perKeySet<P>(build: (keys: string[]) => P): (keys: string[]) => P {
  const built = new Map<string, P>();
  return (keys) => {
    const sorted = [...keys].sort();
    const id = sorted.join(",");
    let prepared = built.get(id);
    if (prepared === undefined) {
      prepared = build(sorted);
      built.set(id, prepared);
    }
    return prepared;
  };
}

/** The entries of a patch that set something. */
export function definedEntries<T extends object>(patch: T): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) values[key] = value;
  return values;
}

/**
 * Maps the rows of a prepared select of plain columns with one loop per row, in place of
 * drizzle's generic mapping (a reduce, entity checks and a path walk per column): about an eighth
 * of a 20-row page's CPU. It goes through the `customResultMapper` that every drizzle driver used
 * here (bun-sqlite, postgres-js, d1) calls with the raw rows, in the select's column order, and
 * decodes each value with its column, as drizzle does.
 */
export function withRowMapper<P extends object>(prepared: P, fields: Record<string, Column>): P {
  const keys = Object.keys(fields);
  const columns = Object.values(fields);
  const mapRows = (rows: unknown[][]) =>
    rows.map((row) => {
      const result: Record<string, unknown> = {};
      for (let index = 0; index < keys.length; index++) {
        const value = row[index];
        result[keys[index] as string] =
          value === null ? null : (columns[index] as Column).mapFromDriverValue(value);
      }
      return result;
    });
  (prepared as { customResultMapper?: unknown }).customResultMapper = mapRows;
  return prepared;
}

/** The values of the given columns in a row about to be written, null where it has none. */
export function pickColumns(
  fields: Record<string, Column>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) row[key] = values[key] ?? null;
  return row;
}
