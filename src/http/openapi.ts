import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { DEFAULT_PORT } from "../config";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../lib/pagination";
import { assetUrl, docsAssets } from "./docs-assets";
import { restoreStringFormats } from "./formats";
import { PROBLEM_CONTENT_TYPE } from "./problem";
import { Limit } from "./schemas";

// Importing @elysiajs/openapi replaced TypeBox's string formats: put them back (see formats.ts).
restoreStringFormats();

const DOCS_PATH = "/swagger";
const SPEC_PATH = "/swagger/json";

type SchemaObject = { [keyword: string]: unknown };
interface MediaTypeObject {
  schema?: SchemaObject;
}
interface ParameterObject {
  in: string;
  name: string;
  required?: boolean;
  description?: string;
  schema?: SchemaObject;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaTypeObject>;
  headers?: Record<string, { description?: string; schema?: SchemaObject }>;
}
interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { content?: Record<string, MediaTypeObject> };
  responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

// JSON Schema keywords whose value is a schema, a list of schemas, or a map of names to schemas.
const SUBSCHEMA = [
  "items",
  "not",
  "additionalProperties",
  "contains",
  "propertyNames",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
];
const SUBSCHEMA_LIST = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SUBSCHEMA_MAP = ["properties", "patternProperties", "dependentSchemas", "$defs"];

/** Calls `visit` on a schema and on every schema nested in it. */
function eachSubschema(schema: unknown, visit: (schema: SchemaObject) => void): void {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return;
  const object = schema as SchemaObject;
  visit(object);
  for (const keyword of SUBSCHEMA) eachSubschema(object[keyword], visit);
  for (const keyword of SUBSCHEMA_LIST) {
    const list = object[keyword];
    if (Array.isArray(list)) for (const item of list) eachSubschema(item, visit);
  }
  for (const keyword of SUBSCHEMA_MAP) {
    const map = object[keyword];
    if (typeof map === "object" && map !== null)
      for (const item of Object.values(map)) eachSubschema(item, visit);
  }
}

/** Every schema of the document: components, parameters, bodies and response headers. */
function eachSchema(document: OpenApiDocument, visit: (schema: SchemaObject) => void): void {
  const inContent = (content: Record<string, MediaTypeObject> | undefined) => {
    for (const media of Object.values(content ?? {})) eachSubschema(media.schema, visit);
  };
  for (const schema of Object.values(document.components?.schemas ?? {}))
    eachSubschema(schema, visit);
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem)) {
      for (const parameter of operation.parameters ?? []) eachSubschema(parameter.schema, visit);
      inContent(operation.requestBody?.content);
      for (const response of Object.values(operation.responses ?? {})) {
        inContent(response.content);
        for (const header of Object.values(response.headers ?? {}))
          eachSubschema(header.schema, visit);
      }
    }
  }
}

/**
 * What the document says of the page size. At run time `limit` is a string with a pattern
 * (see Limit in schemas.ts); on the wire it is a query parameter, and clients should send it as
 * the integer it means.
 */
const LIMIT_IN_DOCUMENT = {
  type: "integer",
  minimum: 1,
  maximum: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
  description: Limit.description,
};

// src/http/page-links.ts sets it on every page that has a next one.
const NEXT_PAGE_LINK = {
  description:
    'The next page, as RFC 8288 writes it: `</tenants?limit=20&cursor=…>; rel="next"`. Absent on the last page.',
  schema: { type: "string" },
};

// src/http/idempotency.ts sets it on the answer a retry with the same Idempotency-Key gets again.
const REPLAYED = {
  description:
    "`true` on the stored answer of an earlier request with the same Idempotency-Key, sent again; absent otherwise",
  schema: { type: "string", enum: ["true"] },
};

const takesIdempotencyKey = (operation: OperationObject) =>
  (operation.parameters ?? []).some(
    (parameter) => parameter.in === "header" && parameter.name === "idempotency-key",
  );

// The headers of conditional requests (src/http/conditional.ts, docs/api.md).
const ENTITY_TAG = {
  description:
    "The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is",
  schema: { type: "string" },
};
const IF_NONE_MATCH: ParameterObject = {
  in: "header",
  name: "If-None-Match",
  required: false,
  description:
    "ETags of representations the client holds (weak comparison), or `*`: when one is current the answer is 304 with no body",
  schema: { type: "string" },
};
const IF_MATCH: ParameterObject = {
  in: "header",
  name: "If-Match",
  required: false,
  description:
    "ETags (strong comparison: weak tags never match), or `*` for any version: the change is made only while the resource's current ETag is one of them, else 412. Required (428 without it) when the server runs with REQUIRE_IF_MATCH=true",
  schema: { type: "string" },
};
const CONDITIONAL_RESPONSES: Record<string, string> = {
  "304": "Not modified: If-None-Match names the current ETag. No body; the ETag header is sent",
  "412":
    "Precondition failed: If-Match names no current ETag of the resource, which has changed since the tag was read",
  "428":
    "Precondition required: the server runs with REQUIRE_IF_MATCH=true and If-Match is missing",
};

/**
 * The headers of conditional requests, read from the statuses a route documents: a 201 carries
 * the created resource's ETag; an operation that can answer 304 takes If-None-Match and tags its
 * 200 and 304; one that can answer 412 takes If-Match and tags its 200.
 */
function describeConditionalRequests(operation: OperationObject): void {
  const responses = operation.responses ?? {};
  const tag = (status: string) => {
    const response = responses[status];
    if (response !== undefined) response.headers = { ...response.headers, ETag: ENTITY_TAG };
  };
  tag("201");
  if (responses["304"] !== undefined) {
    operation.parameters = [...(operation.parameters ?? []), IF_NONE_MATCH];
    tag("200");
    tag("304");
  }
  if (responses["412"] !== undefined) {
    operation.parameters = [...(operation.parameters ?? []), IF_MATCH];
    tag("200");
  }
  for (const [status, description] of Object.entries(CONDITIONAL_RESPONSES)) {
    const response = responses[status];
    if (response !== undefined) response.description = description;
  }
}

/**
 * Corrects what @elysiajs/openapi writes, in a copy of its document:
 * - a bodiless response (204) gets a `content` of `{type, description}`, which fails validation;
 * - error bodies are problem+json, not JSON;
 * - the `error` messages our schemas carry for validation are no OpenAPI keyword;
 * - a query parameter checked by the Limit pattern is an integer from 1 to MAX_PAGE_SIZE;
 * - a header parameter's description is the parameter's, not its schema's;
 * - a page's 200 response has a Link header;
 * - a create that takes an Idempotency-Key may answer with Idempotent-Replayed;
 * - conditional requests' headers and statuses are described (describeConditionalRequests).
 */
function correctDocument(served: object): OpenApiDocument {
  // A copy, so that no change here can reach the routes' own schemas (validation needs their
  // `error` messages), whatever parts of them the plugin's document shares.
  const document: OpenApiDocument = JSON.parse(JSON.stringify(served));
  eachSchema(document, (schema) => {
    delete schema.error;
  });
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === "query" && parameter.schema?.pattern === Limit.pattern) {
          parameter.schema = { ...LIMIT_IN_DOCUMENT };
        }
        // Where clients and Swagger UI show it: on the parameter, beside its name.
        const description = parameter.schema?.description;
        if (parameter.in === "header" && typeof description === "string") {
          parameter.description = description;
          delete parameter.schema?.description;
        }
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const { content } = response;
        if (content === undefined) continue;
        if (!Object.keys(content).some((mediaType) => mediaType.includes("/"))) {
          delete response.content;
          continue;
        }
        const json = content["application/json"];
        if (Number(status) >= 400 && json !== undefined) {
          response.content = { [PROBLEM_CONTENT_TYPE]: json };
        }
        const properties = json?.schema?.properties as Record<string, unknown> | undefined;
        if (status === "200" && properties?.nextCursor !== undefined) {
          response.headers = { ...response.headers, Link: NEXT_PAGE_LINK };
        }
        if (Number(status) < 300 && takesIdempotencyKey(operation)) {
          response.headers = { ...response.headers, "Idempotent-Replayed": REPLAYED };
        }
      }
      describeConditionalRequests(operation);
    }
  }
  return document;
}

// The plugin builds its document once and hands out the same object: so is the correction.
const corrected = new WeakMap<object, OpenApiDocument>();

/** The OpenAPI document at /swagger/json and Swagger UI at /swagger, with its assets served here. */
export function apiDocs(info: { title: string; version: string; description: string }) {
  return (
    new Elysia({ name: "api-docs" })
      // Local, before the plugin: it wraps the plugin's document route and no route of the API
      // (a global after-handle hook costs every request of the app).
      .onAfterHandle(({ path, response }) => {
        if (path === SPEC_PATH && typeof response === "object" && response !== null) {
          let document = corrected.get(response);
          if (document === undefined) {
            document = correctDocument(response);
            corrected.set(response, document);
          }
          return document;
        }
      })
      .use(docsAssets())
      .use(
        openapi({
          path: DOCS_PATH,
          specPath: SPEC_PATH,
          provider: "swagger-ui",
          swagger: {
            cdn: assetUrl("swagger-ui-bundle.js"),
            theme: assetUrl("swagger-ui.css"),
            // No badge that sends the document to validator.swagger.io.
            validatorUrl: "none",
          },
          documentation: {
            info,
            // Relative: Swagger UI and clients resolve it against wherever the document is served.
            servers: [
              {
                url: "/",
                description: `The server that serves this document (locally http://localhost:${DEFAULT_PORT})`,
              },
            ],
            components: {
              securitySchemes: {
                bearer: {
                  type: "http",
                  scheme: "bearer",
                  description: "The admin token (ADMIN_TOKEN), or a tenant's API key (tak_…)",
                },
              },
            },
            security: [{ bearer: [] }],
            tags: [
              { name: "Tenants", description: "Isolated customers of the API" },
              { name: "Users", description: "Users inside a tenant" },
              {
                name: "API keys",
                description: "A tenant's keys: tak_<key id>_<tenant id, hex>_<secret>",
              },
              { name: "Operations", description: "Liveness and readiness probes" },
            ],
          },
        }),
      )
  );
}
