/**
 * Values from JSON Schemas: arbitraries of valid values (boundary lengths, astral-plane
 * characters, optional properties present and absent), and for every keyword the values that break
 * it. Lengths count Unicode code points, as JSON Schema defines them (and as the API does).
 */
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { codePointLength } from "../../../src/http/text";
import type { JsonSchema } from "./document";

/** Characters that fill a string of a given length: ASCII, BMP beyond Latin-1, astral, space. */
const FILLERS = ["a", "z", "0", "é", "中", "𝕏", "😀", "-", " "];
const ASTRAL = "𝕏";
const DEFAULT_MAX_LENGTH = 300;

const formats = new Ajv2020({ strict: true });
addFormats(formats);
/** Whether a string has a format, by ajv-formats' definition (not the API's). */
const hasFormat = (format: string, value: string) =>
  formats.validate({ type: "string", format }, value);

/** ECMAScript's pattern semantics without the u flag, as TypeBox and the document's tools apply them. */
const patternOf = (schema: JsonSchema) =>
  schema.pattern === undefined ? undefined : new RegExp(schema.pattern);

function fitsString(schema: JsonSchema, value: string): boolean {
  const length = codePointLength(value);
  if (schema.minLength !== undefined && length < schema.minLength) return false;
  if (schema.maxLength !== undefined && length > schema.maxLength) return false;
  if (schema.format !== undefined && !hasFormat(schema.format, value)) return false;
  return patternOf(schema)?.test(value) ?? true;
}

/** Strings of exactly `length` code points made of fillers, when the pattern allows one. */
function filled(schema: JsonSchema, length: number): string[] {
  return FILLERS.map((filler) => filler.repeat(length)).filter((value) =>
    fitsString(schema, value),
  );
}

/** An email address of exactly `length` characters: a 64-character local part, then labels. */
function emailOfLength(length: number): string {
  let domain = "";
  const rest = length - 65; // "a"*64 + "@"
  while (domain.length < rest - 3) {
    const label = "b".repeat(Math.min(63, rest - 3 - domain.length - 1));
    domain += `${label}.`;
  }
  domain += "c".repeat(rest - domain.length);
  return `${"a".repeat(64)}@${domain}`;
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.enum !== undefined) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.const !== undefined) return fc.constant(schema.const as string);
  const fits = (value: string) => fitsString(schema, value);
  if (schema.format === "uuid") return fc.uuid();
  if (schema.format === "email") {
    const boundary = schema.maxLength === undefined ? [] : [emailOfLength(schema.maxLength)];
    return fc.oneof(
      fc.emailAddress().filter(fits),
      fc.constantFrom("A@B.CO", "first.last+tag@sub.example.com", ...boundary.filter(fits)),
    );
  }
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? DEFAULT_MAX_LENGTH;
  const boundaries = [min, min + 1, max - 1, max].filter((n) => n >= min && n <= max);
  const exact = boundaries.flatMap((length) => filled(schema, length));
  const arbitraries: fc.Arbitrary<string>[] = [];
  if (exact.length > 0) arbitraries.push(fc.constantFrom(...exact));
  // Mixed fillers at a boundary length: astral characters beside ASCII in one string.
  arbitraries.push(
    fc
      .constantFrom(...boundaries)
      .chain((length) =>
        fc.array(fc.constantFrom(...FILLERS), { minLength: length, maxLength: length }),
      )
      .map((characters) => characters.join(""))
      .filter(fits),
  );
  const pattern = patternOf(schema);
  if (pattern !== undefined) {
    // fast-check cannot generate lookarounds: generate without them, keep what the whole pattern takes.
    const generable = new RegExp(pattern.source.replace(/\(\?<?[=!][^()]*\)/g, ""));
    arbitraries.push(fc.stringMatching(generable).filter(fits));
  } else {
    arbitraries.push(fc.string({ unit: "binary", minLength: min, maxLength: max }).filter(fits));
  }
  return fc.oneof(...arbitraries);
}

const typesOf = (schema: JsonSchema): string[] =>
  schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];

/**
 * Whether a parameter's text on the wire (a query or path value) is a valid value of its schema:
 * there, `1` is an integer and a string alike.
 */
export function acceptsText(schema: JsonSchema, text: string): boolean {
  const types = typesOf(schema);
  if (types.includes("integer") && /^-?(?:0|[1-9][0-9]*)$/.test(text)) {
    const value = Number(text);
    return (
      Number.isSafeInteger(value) &&
      value >= (schema.minimum ?? -Infinity) &&
      value <= (schema.maximum ?? Infinity)
    );
  }
  if (!types.includes("string")) return false;
  if (schema.enum !== undefined && !schema.enum.includes(text)) return false;
  return fitsString(schema, text);
}

/** Valid values of a schema. */
export function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const options = typesOf(schema).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case "string":
        return validString(schema);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "integer": {
        const min = schema.minimum ?? -(2 ** 31);
        const max = schema.maximum ?? 2 ** 31;
        return fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max }));
      }
      case "object":
        return validObject(schema);
      default:
        throw new Error(`no generator for type ${type}`);
    }
  });
  if (schema.enum !== undefined && options.length === 0) return fc.constantFrom(...schema.enum);
  if (options.length === 0) throw new Error(`no generator for ${JSON.stringify(schema)}`);
  return options.length === 1 ? (options[0] as fc.Arbitrary<unknown>) : fc.oneof(...options);
}

/** Every combination of optional properties, required ones always present. */
export function validObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(property)]),
  );
  return fc
    .record(model, { requiredKeys: schema.required ?? [] })
    .filter((value) => Object.keys(value).length >= (schema.minProperties ?? 0));
}

/** A replacement that breaks one keyword, as the JSON text put in the value's place. */
export interface Mutation {
  keyword: string;
  json: string;
}

const OTHER_TYPES: Record<string, string[]> = {
  string: ['"x"', '"true"', '"1"', '""'],
  integer: ["0", "1", "-1", "9007199254740993", "-9007199254740993"],
  number: ["1.5", "-0.5", "1e400", "5e-324"],
  boolean: ["true", "false"],
  null: ["null"],
  array: ["[]", '["x"]', "[1,2]", '[{"toString":1}]', "[[[]]]"],
  object: [
    "{}",
    '{"toString":1}',
    '{"valueOf":"x"}',
    '{"toString":{},"valueOf":[]}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"__proto__":{"polluted":true}}',
    '{"hasOwnProperty":1}',
  ],
};

function typeMutations(schema: JsonSchema): Mutation[] {
  const allowed = typesOf(schema);
  const accepts = (type: string) =>
    allowed.includes(type) || (type === "integer" && allowed.includes("number"));
  return Object.entries(OTHER_TYPES)
    .filter(([type]) => !accepts(type))
    .flatMap(([type, values]) => values.map((json) => ({ keyword: `type (${type})`, json })));
}

const PATTERN_BREAKERS = [
  "",
  " ",
  "   ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "a\udc00b",
  `${ASTRAL}\ud83d`,
  "\t",
  "\n",
  " a",
  "A",
  "-",
  "a-",
  "-a",
  "a b",
  "a_b",
  "a.b",
  "ａ",
];

const FORMAT_BREAKERS: Record<string, string[]> = {
  email: [
    "plainaddress",
    "@example.com",
    "a@",
    "a@@b.co",
    "a b@c.co",
    "a@b..co",
    ".a@b.co",
    "a@b.co\n",
    "a@-b.co",
    "ａ@b.co",
    `a@${"b".repeat(64)}.co`,
  ],
  uuid: [
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000",
    "00000000-0000-0000-0000-0000000000000",
    "g0000000-0000-0000-0000-000000000000",
    "{00000000-0000-0000-0000-000000000000}",
    "00000000000000000000000000000000",
  ],
};

/** Values that break exactly the string keywords of a schema (as far as one value can). */
function stringMutations(schema: JsonSchema): Mutation[] {
  const mutations: Mutation[] = [];
  const add = (keyword: string, value: string) =>
    mutations.push({ keyword, json: JSON.stringify(value) });
  if (schema.enum !== undefined) {
    for (const value of ["", "OWNER", "superuser", `${String(schema.enum[0])} `]) {
      if (!schema.enum.includes(value)) add("enum", value);
    }
    return mutations;
  }
  // Both counts of each bound: in ASCII, and in astral characters, which are two UTF-16 units.
  if (schema.minLength !== undefined && schema.minLength > 0) {
    for (const filler of ["a", ASTRAL]) add("minLength", filler.repeat(schema.minLength - 1));
  }
  if (schema.maxLength !== undefined) {
    const valid = filled(schema, schema.maxLength);
    for (const filler of ["a", ASTRAL, ...valid.map((value) => [...value][0] ?? "a")]) {
      add("maxLength", filler.repeat(schema.maxLength + 1));
    }
    if (schema.format === "email") add("maxLength", emailOfLength(schema.maxLength + 1));
  }
  const pattern = patternOf(schema);
  if (pattern !== undefined) {
    for (const value of PATTERN_BREAKERS) if (!pattern.test(value)) add("pattern", value);
  }
  if (schema.format !== undefined) {
    for (const value of FORMAT_BREAKERS[schema.format] ?? []) {
      if (
        !hasFormat(schema.format, value) ||
        codePointLength(value) > (schema.maxLength ?? Infinity)
      ) {
        add("format", value);
      }
    }
  }
  return mutations;
}

/** Every replacement that makes a value invalid, keyword by keyword. */
export function mutationsOf(schema: JsonSchema): Mutation[] {
  const mutations = typeMutations(schema);
  const types = typesOf(schema);
  if (types.includes("string")) mutations.push(...stringMutations(schema));
  if (types.includes("integer")) {
    if (schema.minimum !== undefined) {
      mutations.push({ keyword: "minimum", json: String(schema.minimum - 1) });
    }
    if (schema.maximum !== undefined) {
      mutations.push({ keyword: "maximum", json: String(schema.maximum + 1) });
    }
    mutations.push({ keyword: "type (float)", json: "1.5" });
    mutations.push({ keyword: "type (beyond 2^53)", json: "9007199254740993" });
  }
  return mutations;
}
