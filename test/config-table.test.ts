import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parseConfig, WORKER_ENV } from "../src/config";

const CONFIG_SOURCE = new URL("../src/config.ts", import.meta.url);
const CONFIG_DOCS = new URL("../docs/configuration.md", import.meta.url);

/** The variables parseConfig reads, seen through an environment that records every lookup. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === "string") read.add(name);
      return undefined;
    },
  });
  parseConfig(recording);
  // A variable read only under some condition shows in the source: `env.NAME`.
  for (const [, name] of readFileSync(CONFIG_SOURCE, "utf8").matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g))
    read.add(name as string);
  // The supervisor's message to its workers, not a setting.
  read.delete(WORKER_ENV);
  return read;
}

/** The first column of the table under "Configuration" in docs/configuration.md. */
function variablesDocumented(): Set<string> {
  const rows = readFileSync(CONFIG_DOCS, "utf8").matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm);
  return new Set([...rows].map(([, name]) => name as string));
}

test("the configuration table lists exactly the variables src/config.ts reads", () => {
  const read = variablesRead();
  const documented = variablesDocumented();
  expect(read.size).toBeGreaterThan(10);
  expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
});
