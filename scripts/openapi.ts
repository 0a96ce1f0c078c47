/**
 * Writes the OpenAPI document the app serves at /swagger/json to openapi.json, so that clients
 * can be generated and API changes show up in review.   npm run openapi
 *
 * Keys are sorted at every level: the same app always gives the same bytes, and moving a route
 * or a property in the code does not reorder the file.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl } from "../src/config";
import { openDatabase } from "../src/db/client";
import { buildApp } from "../test/helpers/http";
import { freshDatabase } from "./harness";

export const OPENAPI_FILE = fileURLToPath(new URL("../openapi.json", import.meta.url));

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
}

/** openapi.json's exact text for a document: sorted keys, two-space indent, final newline. */
export function formatOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/**
 * The document as the app serves it, built the way the tests build the app (so the staleness test
 * and this script cannot disagree). The app needs a database; the document does not read it.
 */
async function fetchServedDocument(): Promise<unknown> {
  const { url, drop } = await freshDatabase("sqlite", "openapi");
  const db = openDatabase(parseDatabaseUrl(url));
  try {
    const app = buildApp(db);
    const response = await app.handle(new Request("http://localhost/swagger/json"));
    if (!response.ok) throw new Error(`/swagger/json answered ${response.status}`);
    return await response.json();
  } finally {
    await db.close();
    await drop();
  }
}

if (import.meta.main) {
  writeFileSync(OPENAPI_FILE, formatOpenApiDocument(await fetchServedDocument()));
  console.log(`wrote ${OPENAPI_FILE}`);
}
