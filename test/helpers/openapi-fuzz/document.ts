/**
 * The committed OpenAPI document, read as data: its operations, and a standard JSON Schema
 * validator (ajv, draft 2020-12, the dialect of OpenAPI 3.1) for every response it documents.
 * Nothing here knows the API: everything comes from openapi.json.
 */
import { readFileSync } from "node:fs";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { OPENAPI_FILE } from "../../../scripts/openapi";

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: JsonSchema;
}

export interface DocumentedResponse {
  /** undefined when the status has no body (204). */
  mediaType: string | undefined;
  validate: ValidateFunction | undefined;
}

export interface Operation {
  /** `POST /tenants/{tenantId}/users`: names the operation in failures. */
  name: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body: { mediaType: string; schema: JsonSchema } | undefined;
  secured: boolean;
  responses: Map<number, DocumentedResponse>;
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  security?: unknown[];
}

interface RawDocument {
  paths: Record<string, Record<string, RawOperation>>;
  security?: unknown[];
}

export function readOperations(file = OPENAPI_FILE): Operation[] {
  const document = JSON.parse(readFileSync(file, "utf8")) as RawDocument;
  // OpenAPI's own annotation keywords are not JSON Schema vocabulary: strict mode would refuse them.
  const ajv = new Ajv2020({ allErrors: true, strict: true, unicodeRegExp: true });
  ajv.addVocabulary(["example", "discriminator", "xml", "externalDocs"]);
  addFormats(ajv);
  const operations: Operation[] = [];
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(pathItem)) {
      const responses = new Map<number, DocumentedResponse>();
      for (const [status, response] of Object.entries(raw.responses)) {
        const [mediaType, content] = Object.entries(response.content ?? {})[0] ?? [];
        responses.set(Number(status), {
          mediaType,
          validate: content === undefined ? undefined : ajv.compile(content.schema),
        });
      }
      const [mediaType, content] = Object.entries(raw.requestBody?.content ?? {})[0] ?? [];
      const security = raw.security ?? document.security ?? [];
      operations.push({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: raw.parameters ?? [],
        body:
          mediaType === undefined || content === undefined
            ? undefined
            : { mediaType, schema: content.schema },
        secured: security.length > 0,
        responses,
      });
    }
  }
  return operations;
}

/** A media type without its parameters, in lower case: `application/json; charset=utf-8` -> `application/json`. */
const mediaTypeOf = (header: string | null) =>
  (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

/**
 * What is wrong with a response, judged by the document alone, or undefined when nothing is:
 * the status is listed for the operation, the content type is the listed one, the body validates
 * against the listed schema, and a problem's `status` is the HTTP status.
 */
export function checkResponse(
  responses: Map<number, DocumentedResponse>,
  status: number,
  contentType: string | null,
  text: string,
): string | undefined {
  const documented = responses.get(status);
  if (documented === undefined) {
    return `status ${status} is not documented (documented: ${[...responses.keys()].join(", ")})`;
  }
  if (documented.mediaType === undefined) {
    return text === ""
      ? undefined
      : `status ${status} documents no body, got ${text.slice(0, 200)}`;
  }
  if (mediaTypeOf(contentType) !== documented.mediaType) {
    return `content type ${contentType} is not the documented ${documented.mediaType}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `the body is not JSON: ${text.slice(0, 200)}`;
  }
  if (documented.validate !== undefined && !documented.validate(body)) {
    return `the body does not match the documented schema: ${JSON.stringify(documented.validate.errors)} in ${text.slice(0, 300)}`;
  }
  if (documented.mediaType === "application/problem+json") {
    const problemStatus = (body as { status?: unknown }).status;
    if (problemStatus !== status) return `the problem's status ${problemStatus} is not ${status}`;
  }
  return undefined;
}
