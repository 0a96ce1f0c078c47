import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { formatOpenApiDocument, OPENAPI_FILE } from "../scripts/openapi";
import { Limit } from "../src/http/schemas";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../src/lib/pagination";
import { createTestDatabase, type TestDatabase } from "./helpers/databases";
import { buildApp, call } from "./helpers/http";

/** The first line where two texts part, to point at the change. */
function firstDifference(committed: string, current: string): string {
  const committedLines = committed.split("\n");
  const currentLines = current.split("\n");
  const line = committedLines.findIndex((text, index) => text !== currentLines[index]);
  const at = line === -1 ? committedLines.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(committedLines[at])}, served ${JSON.stringify(currentLines[at])}`;
}

/** JSON Pointers of every `error` key, but for properties of that name (`properties/error`). */
function errorKeywords(value: unknown, pointer = ""): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    const here = key === "error" && !pointer.endsWith("/properties") ? [at] : [];
    return [...here, ...errorKeywords(item, at)];
  });
}

interface Parameter {
  in: string;
  name: string;
  schema: Record<string, unknown>;
}

describe("openapi.json", () => {
  let testDb: TestDatabase;
  let committed: string;
  beforeAll(async () => {
    testDb = await createTestDatabase("sqlite");
    committed = readFileSync(OPENAPI_FILE, "utf8");
  });
  afterAll(() => testDb.drop());

  test("is exactly the document the app serves", async () => {
    const response = await call(buildApp(testDb.db), "GET", "/swagger/json");
    expect(response.status).toBe(200);
    const current = formatOpenApiDocument(response.body);
    if (committed !== current) {
      throw new Error(
        `openapi.json is out of date: run npm run openapi (${firstDifference(committed, current)})`,
      );
    }
  });

  test("is a valid OpenAPI 3.1 document", async () => {
    const document = JSON.parse(committed);
    expect(document.openapi).toStartWith("3.1");
    await SwaggerParser.validate(document);
  });

  test("is pretty-printed with sorted keys and a final newline", () => {
    expect(committed).toBe(formatOpenApiDocument(JSON.parse(committed)));
  });

  test("carries none of the schemas' validation messages (`error`, no OpenAPI keyword)", () => {
    expect(errorKeywords(JSON.parse(committed))).toEqual([]);
  });

  test("names a server", () => {
    const { servers } = JSON.parse(committed);
    expect(servers).toEqual([{ url: expect.any(String), description: expect.any(String) }]);
  });

  test("describes `limit` as an integer from 1 to MAX_PAGE_SIZE wherever it is taken", () => {
    const document = JSON.parse(committed);
    const limits = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { parameters?: Parameter[] }>).flatMap(
        ([method, operation]) =>
          (operation.parameters ?? [])
            .filter((parameter) => parameter.name === "limit")
            .map((parameter) => ({ operation: `${method} ${path}`, ...parameter })),
      ),
    );
    expect(limits.map(({ operation }) => operation).sort()).toEqual([
      "get /tenants",
      "get /tenants/{tenantId}/api-keys",
      "get /tenants/{tenantId}/users",
    ]);
    for (const { operation, in: location, schema } of limits) {
      expect({ operation, in: location, schema }).toEqual({
        operation,
        in: "query",
        schema: {
          type: "integer",
          minimum: 1,
          maximum: MAX_PAGE_SIZE,
          default: DEFAULT_PAGE_SIZE,
          description: expect.any(String),
        },
      });
    }
  });

  test("`limit`'s runtime pattern accepts exactly the integers the document allows", () => {
    const pattern = new RegExp(Limit.pattern ?? "");
    const accepted = Array.from({ length: MAX_PAGE_SIZE + 10 }, (_, n) => `${n}`).filter((text) =>
      pattern.test(text),
    );
    expect(accepted).toEqual(Array.from({ length: MAX_PAGE_SIZE }, (_, n) => `${n + 1}`));
    for (const text of ["01", "1.0", " 1", "1e1", "+1", "-1", ""])
      expect(pattern.test(text)).toBe(false);
  });
});
