/**
 * Writes test/client/openapi-types.ts, the openapi-typescript types of the committed openapi.json,
 * which the openapi-fetch client test (test/client/openapi-fetch.test.ts) is typed with.
 *
 *   npm run openapi:types             rewrite the file (npm run openapi does it after openapi.json)
 *   npm run openapi:types -- --check  fail if the committed file differs from what it would write
 *
 * openapi-typescript needs TypeScript 5's JavaScript API, which the root's TypeScript 7 does not
 * have: hence this folder, installed apart (npm ci --prefix tools/openapi-typescript).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);
const SOURCE = fileURLToPath(new URL("openapi.json", ROOT));
const TARGET = fileURLToPath(new URL("test/client/openapi-types.ts", ROOT));
const HEADER = `// Generated from openapi.json by openapi-typescript: do not edit. npm run openapi:types\n\n`;

const openapiTypescript = await import("openapi-typescript").catch(() => {
  console.error("openapi-typescript is not installed: npm ci --prefix tools/openapi-typescript");
  process.exit(1);
});
const { default: openapiTS, astToString } = openapiTypescript;
const document = JSON.parse(readFileSync(SOURCE, "utf8"));
const types = HEADER + astToString(await openapiTS(document));

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(TARGET, "utf8");
  } catch {}
  if (committed !== types) {
    console.error(
      "test/client/openapi-types.ts is out of date with openapi.json: run npm run openapi:types",
    );
    process.exit(1);
  }
} else {
  writeFileSync(TARGET, types);
  console.log(`wrote ${TARGET}`);
}
