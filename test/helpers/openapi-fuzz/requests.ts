/**
 * Requests generated from the operations of the OpenAPI document: valid ones, ones a server may
 * accept or refuse (odd but legal framing), and invalid ones that break one thing each: a schema
 * keyword of a body property, query or path parameter, the body as a whole, its content type, the
 * method, the credentials or a precondition. Ids, keys, cursors and entity tags are picked at run
 * time from the world the test builds (see `World`), so that a valid request names things that
 * exist. The conditional headers (If-Match, If-None-Match) are read as RFC 9110 defines them.
 */
import fc from "fast-check";
import type { JsonSchema, Operation } from "./document";
import { acceptsText, mutationsOf, validObject, validValue } from "./values";

/** What a request is meant to be: valid (a 2xx), tolerated (any documented answer), invalid (a 4xx). */
export type Category = "valid" | "tolerated" | "invalid";

/** A path parameter: an existing id, one made to be deleted, or raw (already percent-encoded) text. */
export type PathValue =
  | { kind: "known"; pick: number }
  | { kind: "disposable" }
  | { kind: "raw"; text: string };

/**
 * A conditional header's value, resolved against the current ETag of the resource the path names:
 * that tag, its weak form, a list holding it, `*`, a strong tag that is not the current one
 * (the current one's opaque text with more after it), or raw text.
 */
export type TagValue =
  | { kind: "current" }
  | { kind: "weak-current" }
  | { kind: "listed" }
  | { kind: "any" }
  | { kind: "not-current" }
  | { kind: "raw"; text: string };

/** valid: the admin token, or the path's tenant's own key where the operation allows it. */
export type Credentials =
  | { kind: "valid"; tenantKey: boolean }
  | { kind: "none" }
  | { kind: "header"; value: string }
  | { kind: "other-tenant" }
  | { kind: "tenant-on-admin-route" };

export interface RequestSpec {
  category: Category;
  /** What was broken (or "valid"), for the failure report. */
  mutation: string;
  operation: number;
  method: string;
  path: Record<string, PathValue>;
  /** Either pairs of raw (already encoded) text, or a cursor of a real page. */
  query: [string, string][];
  realCursor: boolean;
  /** Header parameters by the name the document gives them: conditional ones, resolved against the current ETag, and plain ones (raw). */
  headers: [string, TagValue][];
  credentials: Credentials;
  contentType: string | null;
  /** The body's text; latin1 sends each character as one byte, to send bytes that are not UTF-8. */
  body: { text: string; encoding: "utf8" | "latin1" } | undefined;
  /** Valid credential checks use a real user's email and password half of the time. */
  knownCredentials: boolean;
}

const encode = (text: string) =>
  [...new TextEncoder().encode(text)]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");

const objectText = (entries: [string, string][]) =>
  `{${entries.map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(",")}}`;

/** The valid body's properties, each with its JSON text. */
const bodyEntries = (spec: RequestSpec): [string, string][] =>
  Object.entries(JSON.parse(spec.body?.text ?? "{}") as Record<string, unknown>).map(
    ([key, item]) => [key, JSON.stringify(item)],
  );

const pathParameters = (operation: Operation) =>
  operation.parameters.filter((parameter) => parameter.in === "path");
/** The operation's header parameter of that name (case-insensitive), if it documents one. */
const headerParameter = (operation: Operation, name: string) =>
  operation.parameters.find(
    (parameter) => parameter.in === "header" && parameter.name.toLowerCase() === name,
  )?.name;

/**
 * Valid values of the conditional headers the operation documents: If-Match names the current
 * tag (or `*`), so a valid change passes; If-None-Match may name it (then the answer is 304) or not.
 */
function validHeaders(operation: Operation): fc.Arbitrary<[string, TagValue][]> {
  const ifMatch = headerParameter(operation, "if-match");
  const ifNoneMatch = headerParameter(operation, "if-none-match");
  const kinds = (...values: TagValue[]) => fc.constantFrom(...values);
  return fc
    .tuple(
      ifMatch === undefined
        ? fc.constant(undefined)
        : fc.option(kinds({ kind: "current" }, { kind: "listed" }, { kind: "any" }), {
            nil: undefined,
          }),
      ifNoneMatch === undefined
        ? fc.constant(undefined)
        : fc.option(
            kinds(
              { kind: "current" },
              { kind: "weak-current" },
              { kind: "listed" },
              { kind: "any" },
              { kind: "not-current" },
            ),
            { nil: undefined },
          ),
    )
    .map(([match, noneMatch]) => [
      ...(ifMatch !== undefined && match !== undefined
        ? [[ifMatch, match] as [string, TagValue]]
        : []),
      ...(ifNoneMatch !== undefined && noneMatch !== undefined
        ? [[ifNoneMatch, noneMatch] as [string, TagValue]]
        : []),
    ]);
}

/** Whether a request's If-None-Match names the current tag: the answer to a GET is then 304. */
export const expectsNotModified = (spec: RequestSpec) =>
  spec.headers.some(
    ([name, value]) =>
      name.toLowerCase() === "if-none-match" &&
      ["current", "weak-current", "listed", "any"].includes(value.kind),
  );
const queryParameters = (operation: Operation) =>
  operation.parameters.filter((parameter) => parameter.in === "query");
/** Header parameters other than the conditional ones (validHeaders): Idempotency-Key. */
const plainHeaderParameters = (operation: Operation) =>
  operation.parameters.filter(
    (parameter) =>
      parameter.in === "header" &&
      !["if-match", "if-none-match"].includes(parameter.name.toLowerCase()),
  );

/**
 * Text a header can carry unchanged: Latin-1 without control characters (tabs inside), and no
 * whitespace at either end, which HTTP strips. Anything else a client cannot send as it is.
 */
const SENDABLE_HEADER =
  /^(?:[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff\t]*[\x21-\x7e\x80-\xff])?)?$/;

/**
 * Valid values of a header parameter: mostly random UUIDs where the schema takes them (a header
 * such as Idempotency-Key is meant to be new per request), else values from its schema.
 */
function validHeader(schema: JsonSchema): fc.Arbitrary<string> {
  const fromSchema = validValue(schema).map(String);
  const usable = (text: string) => SENDABLE_HEADER.test(text) && acceptsText(schema, text);
  return fc
    .oneof({ arbitrary: fc.uuid(), weight: 3 }, { arbitrary: fromSchema, weight: 1 })
    .filter(usable);
}

/** Valid values of the operation's plain header parameters, each optional one present or not. */
function validPlainHeaders(operation: Operation): fc.Arbitrary<[string, TagValue][]> {
  return fc
    .tuple(
      ...plainHeaderParameters(operation).map((parameter) => {
        const value = validHeader(parameter.schema).map((text): [string, TagValue] => [
          parameter.name,
          { kind: "raw", text },
        ]);
        return parameter.required ? value : fc.option(value, { nil: undefined });
      }),
    )
    .map((pairs) => pairs.filter((pair) => pair !== undefined));
}

/** A query value as it travels: a string stays itself, anything else is its JSON text. */
const queryText = (json: string) => {
  const value = JSON.parse(json) as unknown;
  return typeof value === "string" ? value : json;
};

/** An opaque string parameter (a cursor) is valid only when a server made it: never generated. */
const opaque = (schema: JsonSchema) =>
  schema.type === "string" && schema.format === undefined && schema.pattern === undefined;

function validQuery(
  operation: Operation,
): fc.Arbitrary<{ pairs: [string, string][]; cursor: boolean }> {
  const parameters = queryParameters(operation);
  const generated = parameters.filter((parameter) => !opaque(parameter.schema));
  const hasCursor = parameters.length > generated.length;
  return fc
    .tuple(
      fc.tuple(
        ...generated.map((parameter) =>
          fc.option(
            validValue(parameter.schema).map((value) => [parameter.name, String(value)] as const),
            {
              nil: undefined,
            },
          ),
        ),
      ),
      hasCursor ? fc.boolean() : fc.constant(false),
    )
    .map(([pairs, cursor]) => ({
      pairs: pairs
        .filter((pair) => pair !== undefined)
        .map(([name, value]) => [name, encode(value)] as [string, string]),
      cursor,
    }));
}

/** A valid request of the operation, before any mutation. */
function validRequest(operation: Operation): fc.Arbitrary<RequestSpec> {
  const adminOnly = operation.responses.has(403);
  const scoped = pathParameters(operation).some((parameter) => parameter.name === "tenantId");
  return fc
    .record({
      picks: fc.array(fc.nat(), {
        minLength: pathParameters(operation).length,
        maxLength: pathParameters(operation).length,
      }),
      query: validQuery(operation),
      headers: fc
        .tuple(validHeaders(operation), validPlainHeaders(operation))
        .map(([conditional, plain]) => [...conditional, ...plain]),
      body:
        operation.body === undefined ? fc.constant(undefined) : validObject(operation.body.schema),
      tenantKey: adminOnly || !scoped ? fc.constant(false) : fc.boolean(),
      knownCredentials: fc.boolean(),
    })
    .map(({ picks, query, headers, body, tenantKey, knownCredentials }) => ({
      category: "valid",
      mutation: "valid",
      operation: -1,
      method: operation.method,
      path: Object.fromEntries(
        pathParameters(operation).map((parameter, index): [string, PathValue] => [
          parameter.name,
          // A valid DELETE removes something made for it, never what other requests use.
          operation.method === "DELETE" && index === pathParameters(operation).length - 1
            ? { kind: "disposable" }
            : { kind: "known", pick: picks[index] ?? 0 },
        ]),
      ),
      query: query.pairs,
      realCursor: query.cursor,
      headers,
      credentials: operation.secured ? { kind: "valid", tenantKey } : { kind: "none" },
      contentType: operation.body?.mediaType ?? null,
      body: body === undefined ? undefined : { text: JSON.stringify(body), encoding: "utf8" },
      knownCredentials,
    }));
}

interface Change {
  category: Category;
  mutation: string;
  apply: (spec: RequestSpec) => Partial<RequestSpec>;
}
const change = (
  category: Category,
  mutation: string,
  apply: (spec: RequestSpec) => Partial<RequestSpec>,
): Change => ({ category, mutation, apply });

/** For a property: each replacement breaking one of its keywords. */
function propertyChanges(name: string, schema: JsonSchema): Change[] {
  return mutationsOf(schema).map(({ keyword, json }) =>
    change("invalid", `body /${name}: ${keyword} = ${json.slice(0, 60)}`, (spec) => ({
      body: {
        text: objectText([...bodyEntries(spec).filter(([key]) => key !== name), [name, json]]),
        encoding: "utf8",
      },
    })),
  );
}

const EXTRA_PROPERTIES = [
  "unexpected",
  "__proto__",
  "constructor",
  "toString",
  "id",
  "tenantId",
  "createdAt",
  "passwordHash",
];
const WRONG_CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jsonx",
  "json",
  "application/json-seq",
  "",
];
const ODD_CONTENT_TYPES = [
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/merge-patch+json",
  "application/vnd.api+json",
  "application/json;",
];

function bodyChanges(operation: Operation): Change[] {
  const schema = operation.body?.schema;
  if (schema === undefined) return [];
  const body = (text: string, encoding: "utf8" | "latin1" = "utf8") => ({
    body: { text, encoding },
  });
  const changes: Change[] = [
    ...Object.entries(schema.properties ?? {}).flatMap(([name, property]) =>
      propertyChanges(name, property),
    ),
    ...(schema.required ?? []).map((name) =>
      change("invalid", `body: required /${name} removed`, (spec) =>
        body(objectText(bodyEntries(spec).filter(([key]) => key !== name))),
      ),
    ),
    ...EXTRA_PROPERTIES.map((name) =>
      change("invalid", `body: additional property ${name}`, (spec) =>
        body(objectText([...bodyEntries(spec), [name, '"x"']])),
      ),
    ),
    ...["[]", '"text"', "1", "null", "true", "[{}]"].map((text) =>
      change("invalid", `body: ${text}`, () => body(text)),
    ),
    ...["}", "x", "\u0000", "{}", ",", "]"].map((tail) =>
      change("invalid", `body: trailing ${JSON.stringify(tail)}`, (spec) =>
        body(`${spec.body?.text}${tail}`),
      ),
    ),
    change("invalid", "body: empty", () => body("")),
    ...[33, 1_000, 100_000, 500_000].flatMap((depth) => [
      change("invalid", `body: arrays nested ${depth} levels`, () =>
        body(`{"name":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`),
      ),
      change("invalid", `body: objects nested ${depth} levels`, (spec) =>
        body(`${'{"a":'.repeat(depth - 1)}${spec.body?.text}${"}".repeat(depth - 1)}`),
      ),
    ]),
    change("invalid", "body: bytes that are not UTF-8", (spec) =>
      body(`${spec.body?.text.slice(0, -1)},"\xff\xfe":1}`, "latin1"),
    ),
    ...WRONG_CONTENT_TYPES.map((contentType) =>
      change("invalid", `content type ${JSON.stringify(contentType)}`, () => ({ contentType })),
    ),
    change("invalid", "no content type", () => ({ contentType: null })),
    ...ODD_CONTENT_TYPES.map((contentType) =>
      change("tolerated", `content type ${JSON.stringify(contentType)}`, () => ({ contentType })),
    ),
    change("tolerated", "body: a byte order mark", (spec) => body(`\ufeff${spec.body?.text}`)),
    change("tolerated", "body: whitespace around", (spec) => body(` \n\t${spec.body?.text}\r\n `)),
    change("tolerated", "body: duplicate keys", (spec) => {
      const entries = bodyEntries(spec);
      return body(objectText([...entries, ...entries]));
    }),
  ];
  if ((schema.minProperties ?? 0) > 0)
    changes.push(change("invalid", "body: {}", () => body("{}")));
  return changes;
}

// Not `..` or `%2E%2E`: URLs resolve those dot segments, so they address another operation.
const PATH_JUNK = [
  "%00",
  "..%2F",
  "a%2Fb",
  "%FF",
  "%25",
  "%20",
  "x".repeat(2_000),
  "%F0%9D%95%8F",
  "null",
  "0",
];

// Header text that HTTP carries as it is but few schemas take: Latin-1 beyond ASCII, inner tabs.
const HEADER_JUNK = ["caf\u00e9", "\u00ff", "a\tb", "\u00a0a"];

function parameterChanges(operation: Operation): Change[] {
  const changes: Change[] = [];
  for (const parameter of pathParameters(operation)) {
    const texts = [
      ...mutationsOf(parameter.schema)
        .map(({ json }) => queryText(json))
        .filter((text) => !acceptsText(parameter.schema, text))
        .map(encode),
      ...PATH_JUNK,
    ];
    for (const text of texts) {
      changes.push(
        change("invalid", `path {${parameter.name}} = ${text.slice(0, 60)}`, (spec) => ({
          path: { ...spec.path, [parameter.name]: { kind: "raw", text } },
        })),
      );
    }
  }
  for (const parameter of queryParameters(operation)) {
    const values = opaque(parameter.schema)
      ? ["forged", "", "x".repeat((parameter.schema.maxLength ?? 200) + 1)]
      : mutationsOf(parameter.schema)
          .map(({ json }) => queryText(json))
          .filter((text) => !acceptsText(parameter.schema, text));
    const set = (spec: RequestSpec, pairs: [string, string][]) => ({
      query: [...spec.query.filter(([name]) => name !== parameter.name), ...pairs],
      realCursor: opaque(parameter.schema) ? false : spec.realCursor,
    });
    for (const value of values) {
      changes.push(
        change("invalid", `query ${parameter.name} = ${value.slice(0, 60)}`, (spec) =>
          set(spec, [[parameter.name, encode(value)]]),
        ),
      );
    }
    if (!opaque(parameter.schema)) {
      changes.push(
        change("tolerated", `query ${parameter.name} given twice`, (spec) =>
          set(spec, [
            [parameter.name, "1"],
            [parameter.name, "2"],
          ]),
        ),
      );
    }
  }
  for (const parameter of plainHeaderParameters(operation)) {
    const values = [
      ...mutationsOf(parameter.schema).map(({ json }) => queryText(json)),
      ...HEADER_JUNK,
    ].filter((text) => SENDABLE_HEADER.test(text) && !acceptsText(parameter.schema, text));
    for (const value of new Set(values)) {
      changes.push(
        change("invalid", `header ${parameter.name} = ${value.slice(0, 60)}`, (spec) => ({
          headers: [
            ...spec.headers.filter(([name]) => name !== parameter.name),
            [parameter.name, { kind: "raw", text: value } as TagValue],
          ],
        })),
      );
    }
  }
  changes.push(
    change("tolerated", "query: unknown parameters", (spec) => ({
      query: [...spec.query, ["__proto__", "x"], ["constructor", "1"], ["unknown", encode("𝕏")]],
    })),
  );
  return changes;
}

/**
 * If-Match that names no current tag (strong comparison: a weak tag never matches): the change
 * must be refused and nothing written. Any If-None-Match value is a valid request: malformed
 * ones are tolerated.
 */
function preconditionChanges(operation: Operation): Change[] {
  const changes: Change[] = [];
  const ifMatch = headerParameter(operation, "if-match");
  const ifNoneMatch = headerParameter(operation, "if-none-match");
  const setting = (name: string, value: TagValue) => (spec: RequestSpec) => ({
    headers: [...spec.headers.filter(([header]) => header !== name), [name, value]] as [
      string,
      TagValue,
    ][],
  });
  if (ifMatch !== undefined) {
    const refused: [string, TagValue][] = [
      ["the weak form of the current tag", { kind: "weak-current" }],
      ["a tag that is not the current one", { kind: "not-current" }],
      ...['"stale"', "unquoted", "", "W/", '"a" "b"', "*, *", `"${"x".repeat(2_000)}"`].map(
        (text): [string, TagValue] => [JSON.stringify(text).slice(0, 40), { kind: "raw", text }],
      ),
    ];
    for (const [what, value] of refused) {
      changes.push(change("invalid", `If-Match: ${what}`, setting(ifMatch, value)));
    }
  }
  if (ifNoneMatch !== undefined) {
    for (const text of ["unquoted", "", "W/", '"a" "b"', "*, *", "ÿ"]) {
      changes.push(
        change(
          "tolerated",
          `If-None-Match: ${JSON.stringify(text)}`,
          setting(ifNoneMatch, { kind: "raw", text }),
        ),
      );
    }
  }
  return changes;
}

function credentialChanges(operation: Operation): Change[] {
  if (!operation.secured) return [];
  const changes = [
    change("invalid", "no credentials", () => ({ credentials: { kind: "none" } })),
    ...[
      "Bearer",
      "Bearer ",
      "Bearer garbage",
      "Basic YWRtaW46YWRtaW4=",
      `Bearer tak_${"a".repeat(16)}_${"b".repeat(43)}`,
      "Bearer t\u00e9st",
    ].map((value) =>
      change("invalid", `authorization ${JSON.stringify(value)}`, () => ({
        credentials: { kind: "header", value },
      })),
    ),
  ];
  const scoped = pathParameters(operation).some((parameter) => parameter.name === "tenantId");
  if (scoped)
    changes.push(
      change("invalid", "another tenant's key", () => ({ credentials: { kind: "other-tenant" } })),
    );
  if (operation.responses.has(403)) {
    changes.push(
      change("invalid", "a tenant key on an admin route", () => ({
        credentials: { kind: "tenant-on-admin-route" },
      })),
    );
  }
  return changes;
}

/**
 * Requests no documented operation takes: another method on a documented path. Only methods Bun
 * parses: it drops the connection on an unknown one, and its Request turns one into GET.
 */
function methodChanges(operation: Operation, all: Operation[]): Change[] {
  const documented = all.filter(({ path }) => path === operation.path).map(({ method }) => method);
  return ["PUT", "PROPFIND", "QUERY", "GET", "POST", "PATCH", "DELETE"]
    .filter((method) => !documented.includes(method))
    .map((method) => change("invalid", `method ${method}`, () => ({ method })));
}

const changesOf = (operation: Operation, all: Operation[]) => [
  ...bodyChanges(operation),
  ...parameterChanges(operation),
  ...preconditionChanges(operation),
  ...credentialChanges(operation),
  ...methodChanges(operation, all),
];

/** Every request of the operation `all[index]`, by category. */
export function requestsOf(all: Operation[], index: number) {
  const operation = all[index];
  if (operation === undefined) throw new Error(`no operation ${index}`);
  const valid = validRequest(operation).map((spec) => ({ ...spec, operation: index }));
  const changes = changesOf(operation, all);
  const variants = (category: Category): fc.Arbitrary<RequestSpec> | undefined => {
    const chosen = changes.filter((candidate) => candidate.category === category);
    if (chosen.length === 0) return undefined;
    return fc.tuple(valid, fc.constantFrom(...chosen)).map(([spec, { apply, mutation }]) => {
      // A DELETE that may succeed removes something made for it; an invalid one names what exists.
      const named: RequestSpec =
        category === "invalid"
          ? {
              ...spec,
              path: Object.fromEntries(
                Object.entries(spec.path).map(([name, value]): [string, PathValue] => [
                  name,
                  value.kind === "disposable" ? { kind: "known", pick: 0 } : value,
                ]),
              ),
            }
          : spec;
      return { ...named, ...apply(named), category, mutation };
    });
  };
  return { valid, tolerated: variants("tolerated"), invalid: variants("invalid") };
}

/**
 * For an operation that documents 428: its valid requests without If-Match, naming things that
 * exist. A server that requires preconditions must answer them 428 and change nothing.
 */
export function unconditionalRequestsOf(
  all: Operation[],
  index: number,
): fc.Arbitrary<RequestSpec> | undefined {
  const operation = all[index];
  if (operation === undefined || !operation.responses.has(428)) return undefined;
  const ifMatch = headerParameter(operation, "if-match");
  if (ifMatch === undefined) return undefined;
  return validRequest(operation).map((spec) => ({
    ...spec,
    operation: index,
    category: "invalid",
    mutation: "no If-Match, preconditions required",
    headers: spec.headers.filter(([name]) => name !== ifMatch),
    path: Object.fromEntries(
      Object.entries(spec.path).map(([name, value]): [string, PathValue] => [
        name,
        value.kind === "disposable" ? { kind: "known", pick: 0 } : value,
      ]),
    ),
  }));
}

/** The number of distinct changes made to the operation's valid requests: for the report. */
export const shapesOf = (all: Operation[], operation: Operation) =>
  changesOf(operation, all).length;
