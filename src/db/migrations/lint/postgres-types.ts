/**
 * What ALTER COLUMN ... TYPE does on PostgreSQL: whether the new type can hold less than the
 * old one (narrow-type) and whether PostgreSQL rewrites the table for it (column-type-rewrite).
 */
import type { ColumnType } from "./postgres-ast";

const STRING_TYPES = new Set(["varchar", "bpchar", "text"]);
/** Integer types by range; numeric without a precision holds any of them. */
const INTEGER_RANK: Readonly<Record<string, number>> = { int2: 1, int4: 2, int8: 3 };
const INTEGER_DIGITS: Readonly<Record<string, number>> = { int2: 5, int4: 10, int8: 19 };
const FLOAT_RANK: Readonly<Record<string, number>> = { float4: 1, float8: 2 };
/** Types whose modifier is a fractional-seconds precision, 6 when absent. */
const PRECISION_TYPES = new Set(["timestamp", "timestamptz", "time", "timetz", "interval"]);

const sameModifiers = (from: ColumnType, to: ColumnType) =>
  from.modifiers.length === to.modifiers.length &&
  from.modifiers.every((value, index) => to.modifiers[index] === value);

/** The most characters a string type holds: bpchar without a length is char(1). */
function maxLength(type: ColumnType): number {
  const [length] = type.modifiers;
  if (length !== undefined) return length;
  return type.name === "bpchar" ? 1 : Number.POSITIVE_INFINITY;
}

const timePrecision = (type: ColumnType) => type.modifiers[0] ?? 6;

/** numeric(p, s) as digits before and after the point; unbounded numeric holds anything. */
function numericDigits(type: ColumnType): { whole: number; fraction: number } {
  const [precision, scale = 0] = type.modifiers;
  if (precision === undefined)
    return { whole: Number.POSITIVE_INFINITY, fraction: Number.POSITIVE_INFINITY };
  return { whole: precision - scale, fraction: scale };
}

/** How the new type holds less than the old one, or null when it does not. */
export function narrowing(from: ColumnType, to: ColumnType): string | null {
  if (STRING_TYPES.has(from.name) && STRING_TYPES.has(to.name))
    return maxLength(to) < maxLength(from) ? "a shorter maximum length" : null;
  if (STRING_TYPES.has(from.name) && !STRING_TYPES.has(to.name))
    return "a non-text type, which not every existing string converts to";
  const fromInteger = INTEGER_RANK[from.name];
  const toInteger = INTEGER_RANK[to.name];
  if (toInteger !== undefined) {
    if (fromInteger !== undefined)
      return toInteger < fromInteger ? "a smaller integer range" : null;
    if (from.name === "numeric" || FLOAT_RANK[from.name] !== undefined)
      return "an integer type, which drops fractions and may not hold the range";
  }
  const fromFloat = FLOAT_RANK[from.name];
  const toFloat = FLOAT_RANK[to.name];
  if (fromFloat !== undefined && toFloat !== undefined && toFloat < fromFloat)
    return "a less precise floating-point type";
  if (to.name === "numeric") {
    const target = numericDigits(to);
    const source =
      from.name === "numeric"
        ? numericDigits(from)
        : fromInteger !== undefined
          ? { whole: INTEGER_DIGITS[from.name] ?? 0, fraction: 0 }
          : null;
    if (source !== null && (target.whole < source.whole || target.fraction < source.fraction))
      return "a lower numeric precision or scale";
  }
  if (PRECISION_TYPES.has(from.name) && from.name === to.name)
    return timePrecision(to) < timePrecision(from) ? "a lower fractional-seconds precision" : null;
  if ((from.name === "timestamp" || from.name === "timestamptz") && to.name === "date")
    return "a date, which drops the time of day";
  return null;
}

/** Whether PostgreSQL rewrites the table (and rebuilds its indexes) for this type change. */
export function rewrites(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return true;
  if (from.name === to.name) {
    if (sameModifiers(from, to)) return false;
    // A longer varchar, a wider numeric of the same scale, a finer time precision, or
    // dropping the limit: PostgreSQL only updates the catalog.
    if (from.name === "varchar" || from.name === "varbit")
      return to.modifiers.length > 0 && maxLength(to) < maxLength(from);
    if (from.name === "numeric") {
      if (to.modifiers.length === 0) return false;
      const [fromPrecision, fromScale = 0] = from.modifiers;
      const [toPrecision = 0, toScale = 0] = to.modifiers;
      return fromPrecision === undefined || toPrecision < fromPrecision || toScale !== fromScale;
    }
    if (PRECISION_TYPES.has(from.name)) return timePrecision(to) < timePrecision(from);
    return true;
  }
  // Between text and varchar only an unbounded varchar is free; varchar(n) checks every row.
  if (from.name === "varchar" && to.name === "text") return false;
  if (from.name === "text" && to.name === "varchar") return to.modifiers.length > 0;
  // cidr is binary-compatible with inet; every other change of type converts each value.
  return !(from.name === "cidr" && to.name === "inet");
}
