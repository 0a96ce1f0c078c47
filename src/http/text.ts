import { Kind, Type, TypeRegistry } from "@sinclair/typebox";

const TEXT_KIND = "Text";

interface TextOptions {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** The field error's message in requests: TypeBox's own for a custom kind says only "Expected kind". */
  error?: string;
  description?: string;
  writeOnly?: boolean;
}

/** Unicode code points: a surrogate pair counts once, as JSON Schema and PostgreSQL count. */
export function codePointLength(value: string): number {
  let length = value.length;
  for (let index = 0; index < value.length - 1; index++) {
    const code = value.charCodeAt(index);
    if (code < 0xd800 || code > 0xdbff) continue;
    const next = value.charCodeAt(index + 1);
    if (next >= 0xdc00 && next <= 0xdfff) {
      length--;
      index++;
    }
  }
  return length;
}

const patterns = new WeakMap<object, RegExp>();

TypeRegistry.Set<TextOptions>(TEXT_KIND, (schema, value) => {
  if (typeof value !== "string") return false;
  // Code points are never more than UTF-16 units: only a string that could be too long is counted.
  if (schema.minLength !== undefined && value.length < schema.minLength) return false;
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    if (value.length > 2 * schema.maxLength || codePointLength(value) > schema.maxLength) {
      return false;
    }
  }
  if (schema.minLength !== undefined && value.length < 2 * schema.minLength) {
    if (codePointLength(value) < schema.minLength) return false;
  }
  if (schema.pattern === undefined) return true;
  let pattern = patterns.get(schema);
  if (pattern === undefined) {
    pattern = new RegExp(schema.pattern);
    patterns.set(schema, pattern);
  }
  return pattern.test(value);
});

/**
 * A string whose minLength and maxLength count Unicode code points, as JSON Schema defines them
 * (and as PostgreSQL's varchar(n) counts), not UTF-16 units as TypeBox's string does: a name of
 * 200 emoji is 200 characters long here, in the OpenAPI document and in the database. The
 * document shows it as a plain `type: string` schema.
 */
export const Text = (options: TextOptions) =>
  // Kind last: options spread from a column's schema carry TypeBox's own Kind ("String").
  Type.Unsafe<string>({ ...options, type: "string", [Kind]: TEXT_KIND });
