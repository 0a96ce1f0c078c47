import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

/**
 * The app factory must run where Bun does not: Workers have no `bun:*` modules, no `Bun` global
 * and no file system to read at request time. This walks the static imports from an entry file
 * and names every file and line that would break there.
 */

const ROOT = resolve(import.meta.dir, "..");

interface Reference {
  specifier: string;
  line: number;
}

const lineAt = (source: string, index: number) => source.slice(0, index).split("\n").length;

// `import … from "x"` and `export … from "x"`, over several lines; group 1 marks `type` imports.
const FROM = /(?:^|\n)[ \t]*(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s*["']([^"']+)["']/g;
const SIDE_EFFECT = /(?:^|\n)[ \t]*import\s*["']([^"']+)["']/g;
const CALL = /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The modules a file loads when it runs: every import but `import type` / `export type`. */
function runtimeImports(source: string): Reference[] {
  const found: Reference[] = [];
  for (const match of source.matchAll(FROM)) {
    if (match[1] !== undefined) continue;
    const specifier = match[2] ?? "";
    found.push({ specifier, line: lineAt(source, match.index + match[0].lastIndexOf(specifier)) });
  }
  for (const pattern of [SIDE_EFFECT, CALL]) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1] ?? "";
      found.push({
        specifier,
        line: lineAt(source, match.index + match[0].lastIndexOf(specifier)),
      });
    }
  }
  return found;
}

/** The source with type-only imports and comments blanked out, line numbers kept. */
function runtimeText(source: string): string[] {
  const withoutTypeImports = source.replace(FROM, (statement, typeOnly: string | undefined) =>
    typeOnly === undefined ? statement : statement.replace(/[^\n]/g, " "),
  );
  return withoutTypeImports.split("\n").map((line) => {
    const trimmed = line.trim();
    if (trimmed.startsWith("//") || trimmed.startsWith("/*") || trimmed.startsWith("*")) return "";
    return line.replace(/\s\/\/.*$/, "");
  });
}

const FORBIDDEN_MODULE = /^(?:bun(?::|$)|(?:node:)?(?:fs|fs\/promises|child_process)$)/;
const FORBIDDEN_TEXT = /\bBun\.|\bbun:/;

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, `${base}/index.ts`].find(
    (candidate) =>
      candidate.endsWith(".ts") && existsSync(candidate) && statSync(candidate).isFile(),
  );
}

/** Every .ts file reachable from the entry, and each place that is Bun-only or reads files. */
function audit(entry: string): { files: string[]; problems: string[] } {
  const seen = new Set<string>();
  const problems: string[] = [];
  const queue = [resolve(ROOT, entry)];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const name = relative(ROOT, file);
    const source = readFileSync(file, "utf8");
    for (const [index, line] of runtimeText(source).entries()) {
      if (FORBIDDEN_TEXT.test(line)) problems.push(`${name}:${index + 1}: ${line.trim()}`);
    }
    for (const { specifier, line } of runtimeImports(source)) {
      if (FORBIDDEN_MODULE.test(specifier)) {
        problems.push(`${name}:${line}: imports ${specifier}`);
        continue;
      }
      if (!specifier.startsWith(".")) continue;
      const target = resolveLocal(file, specifier);
      if (target !== undefined) queue.push(target);
    }
  }
  return { files: [...seen].map((file) => relative(ROOT, file)).sort(), problems };
}

describe("runtimeImports", () => {
  test("follows imports, re-exports, side effects and require; skips type-only imports", () => {
    const source = [
      'import type { A } from "./types";',
      'import { b, type C } from "./mixed";',
      "import {",
      "  d,",
      '} from "./multi";',
      'export { e } from "./reexport";',
      'export type { F } from "./type-reexport";',
      'import "./side-effect";',
      'const g = require("./required");',
      'import text from "./page.css" with { type: "text" };',
    ].join("\n");
    expect(runtimeImports(source)).toEqual([
      { specifier: "./mixed", line: 2 },
      { specifier: "./multi", line: 5 },
      { specifier: "./reexport", line: 6 },
      { specifier: "./page.css", line: 10 },
      { specifier: "./side-effect", line: 8 },
      { specifier: "./required", line: 9 },
    ]);
  });
});

describe("runtime-neutral entry points", () => {
  test("the app factory (src/app.ts) reaches nothing Bun-only and reads no files", () => {
    const { files, problems } = audit("src/app.ts");
    expect(problems).toEqual([]);
    // The walk did reach the services and what they use, not just the entry.
    expect(files).toContain("src/modules/users/service.ts");
    expect(files).toContain("src/modules/health/routes.ts");
    expect(files).toContain("src/lib/tokens.ts");
  });

  test("the Workers entry (src/worker.ts) reaches nothing Bun-only and reads no files", () => {
    const { files, problems } = audit("src/worker.ts");
    expect(problems).toEqual([]);
    expect(files).toContain("src/app.ts");
    expect(files).toContain("src/db/client-edge.ts");
    expect(files).toContain("src/lib/password-wasm.ts");
  });

  test("the audit names the file and line of each Bun-only use (src/index.ts has several)", () => {
    const { problems } = audit("src/index.ts");
    const at = (file: string) => problems.filter((problem) => problem.startsWith(`${file}:`));
    expect(at("src/lib/password-bun.ts").join("\n")).toMatch(/:\d+: .*Bun\.password/);
    expect(at("src/db/client.ts").join("\n")).toMatch(/:\d+: imports bun:sqlite/);
    expect(at("src/db/client.ts").join("\n")).toMatch(/:\d+: imports node:fs/);
  });
});
