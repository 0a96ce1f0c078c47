/** Typed access to libpg-query's parse tree, whose nodes are one-key objects ({ KindName: {...} }). */
import type { Node, RangeVar, TypeName } from "libpg-query";

type KeysOf<T> = T extends unknown ? keyof T : never;
type NodeKind = KeysOf<Node>;
type NodeOf<K extends NodeKind> =
  Extract<Node, Record<K, unknown>> extends Record<K, infer V> ? V : never;

/** The node's body when it is of that kind. */
export function nodeOf<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  return node !== undefined && kind in node
    ? (node as unknown as Record<K, NodeOf<K>>)[kind]
    : undefined;
}

/** The strings of a list of String nodes (qualified names, column lists). */
export const strings = (nodes: Node[] | undefined): string[] =>
  (nodes ?? []).flatMap((node) => {
    const value = nodeOf(node, "String")?.sval;
    return value === undefined ? [] : [value];
  });

/**
 * A table's key in the schema model: its name, qualified only outside the public schema
 * (drizzle-kit writes "tenants" in CREATE TABLE and "public"."tenants" in REFERENCES).
 */
export function tableKey(schema: string | undefined, name: string): string {
  return schema === undefined || schema === "public" ? name : `${schema}.${name}`;
}

export const relationKey = (relation: RangeVar | undefined): string | null =>
  relation?.relname === undefined ? null : tableKey(relation.schemaname, relation.relname);

/** The key of an object a DROP names: its list is [schema, name] or [name]. */
export function droppedKey(object: Node): string | null {
  const names = strings(nodeOf(object, "List")?.items);
  const name = names.at(-1);
  return name === undefined ? null : tableKey(names.at(-2), name);
}

/** A name as the finding prints it: "table" or "schema"."table". */
export const quoted = (key: string) =>
  key
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");

/** Every node under a node, depth first: for finding function calls inside an expression. */
export function* descendants(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* descendants(item);
  } else if (typeof value === "object" && value !== null) {
    yield value as Record<string, unknown>;
    for (const child of Object.values(value)) yield* descendants(child);
  }
}

/** A column type reduced to what the type rules compare. */
export interface ColumnType {
  /** The type's internal name without schema: varchar, bpchar, int4, numeric, timestamptz... */
  name: string;
  /** Type modifiers: a length, a precision and scale. */
  modifiers: number[];
  array: boolean;
}

/** serial types are integers with a sequence default; the type rules compare the integer. */
const SERIAL_TYPES: Readonly<Record<string, string>> = {
  smallserial: "int2",
  serial2: "int2",
  serial: "int4",
  serial4: "int4",
  bigserial: "int8",
  serial8: "int8",
};

export const isSerial = (typeName: TypeName | undefined) =>
  Object.hasOwn(SERIAL_TYPES, strings(typeName?.names).at(-1) ?? "");

export function columnType(typeName: TypeName | undefined): ColumnType | null {
  const name = strings(typeName?.names).at(-1);
  if (name === undefined) return null;
  const modifiers = (typeName?.typmods ?? []).map((modifier) => {
    // libpg-query leaves out a zero: { A_Const: { ival: {} } } is 0.
    const constant = nodeOf(modifier, "A_Const");
    return constant?.ival?.ival ?? 0;
  });
  return {
    name: SERIAL_TYPES[name] ?? name,
    modifiers,
    array: (typeName?.arrayBounds ?? []).length > 0,
  };
}

export function describeType(type: ColumnType): string {
  const modifiers = type.modifiers.length > 0 ? `(${type.modifiers.join(",")})` : "";
  return `${type.name}${modifiers}${type.array ? "[]" : ""}`;
}
