import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { formatOpenApiDocument, OPENAPI_FILE } from "../scripts/openapi";
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
});
