/**
 * `npm run build:worker`: bundles src/worker.ts for Cloudflare Workers (workerd) into
 * dist/worker/ (worker.js and the WebAssembly modules it imports), and writes
 * dist/d1-migrations/<tag>.sql, the SQL that takes a D1 database up through each migration.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BunPlugin } from "bun";
import type { Dialect } from "../src/config";
import { d1UpStatements } from "../src/db/migrations/d1";
import { joinStatements, migrationsFolder, readMigrations } from "../src/db/migrations/files";

const ROOT = resolve(import.meta.dir, "..");
const WORKER_DIR = join(ROOT, "dist/worker");
export const WORKER_SCRIPT = join(WORKER_DIR, "worker.js");
export const D1_MIGRATIONS_DIR = join(ROOT, "dist/d1-migrations");
/** The compatibility date the bundle is built and tested for. */
export const COMPATIBILITY_DATE = "2026-04-01";

const DIALECTS: readonly Dialect[] = ["postgres", "sqlite"];

/** `import migrations from "tenant-api:migrations"`: both dialects' migrations, read now. */
const bundledMigrations: BunPlugin = {
  name: "bundled migrations",
  setup(build) {
    build.onResolve({ filter: /^tenant-api:migrations$/ }, ({ path }) => ({
      path,
      namespace: "tenant-api",
    }));
    build.onLoad({ filter: /.*/, namespace: "tenant-api" }, () => ({
      contents: JSON.stringify(
        Object.fromEntries(
          DIALECTS.map((dialect) => [dialect, readMigrations(migrationsFolder(dialect))]),
        ),
      ),
      loader: "json",
    }));
  },
};

// hash-wasm compiles the WebAssembly it carries as base64 at run time, which workerd forbids
// ("Wasm code generation disallowed by embedder"). Workers take WebAssembly as modules compiled
// at upload instead, so the two modules argon2id needs are written out beside worker.js and
// imported, and hash-wasm's one compile call looks them up first.
const PRECOMPILED_WASM = ["argon2", "blake2b"] as const;
const COMPILE_CALL = "WebAssembly.compile(asm.buffer)";

function precompiledHashWasm(outdir: string, onPatched: () => void): BunPlugin {
  return {
    name: "precompiled hash-wasm",
    setup(build) {
      build.onResolve({ filter: /^precompiled-wasm:/ }, ({ path }) => ({
        path: `./${path.slice("precompiled-wasm:".length)}`,
        external: true,
      }));
      build.onLoad({ filter: /[\\/]hash-wasm[\\/]dist[\\/]index\.esm\.js$/ }, async ({ path }) => {
        const source = await Bun.file(path).text();
        if (source.split(COMPILE_CALL).length !== 2) {
          throw new Error(`hash-wasm changed: ${path} no longer has one ${COMPILE_CALL}`);
        }
        const imports = PRECOMPILED_WASM.map((name) => {
          const embedded = source.match(
            new RegExp(`var name(\\$\\w+) = "${name}";\\s*var data\\1 = "([A-Za-z0-9+/=]+)";`),
          );
          if (embedded?.[2] === undefined) throw new Error(`hash-wasm changed: no ${name} module`);
          writeFileSync(join(outdir, `${name}.wasm`), Buffer.from(embedded[2], "base64"));
          return `import precompiled_${name} from "precompiled-wasm:${name}.wasm";`;
        });
        const table = `const PRECOMPILED = { ${PRECOMPILED_WASM.map((name) => `${name}: precompiled_${name}`).join(", ")} };`;
        const lookup = `(Object.hasOwn(PRECOMPILED, binary.name) ? Promise.resolve(PRECOMPILED[binary.name]) : ${COMPILE_CALL})`;
        onPatched();
        return {
          contents: [...imports, table, source.replace(COMPILE_CALL, lookup)].join("\n"),
          loader: "js",
        };
      });
    },
  };
}

function writeD1Migrations(): void {
  rmSync(D1_MIGRATIONS_DIR, { recursive: true, force: true });
  mkdirSync(D1_MIGRATIONS_DIR, { recursive: true });
  for (const migration of readMigrations(migrationsFolder("sqlite"))) {
    const file = join(D1_MIGRATIONS_DIR, `${migration.tag}.sql`);
    writeFileSync(file, joinStatements(d1UpStatements(migration)));
  }
}

/**
 * OpenTelemetry's context manager (CommonJS) requires "async_hooks" by its bare name. workerd
 * serves it (nodejs_compat) as node:async_hooks, and a bundled require() of an external module
 * fails there ("Dynamic require … is not supported"): it gets a module that imports it instead.
 */
const asyncHooksByImport: BunPlugin = {
  name: "async_hooks by import",
  setup(build) {
    build.onResolve({ filter: /^async_hooks$/ }, () => ({
      path: "async_hooks",
      namespace: "node-import",
    }));
    build.onLoad({ filter: /.*/, namespace: "node-import" }, () => ({
      contents:
        'import { AsyncLocalStorage } from "node:async_hooks"; export { AsyncLocalStorage };',
      loader: "js",
    }));
  },
};

export async function buildWorker(): Promise<void> {
  rmSync(WORKER_DIR, { recursive: true, force: true });
  mkdirSync(WORKER_DIR, { recursive: true });
  let patched = false;
  const result = await Bun.build({
    entrypoints: [join(ROOT, "src/worker.ts")],
    outdir: WORKER_DIR,
    naming: "worker.js",
    target: "browser",
    format: "esm",
    // postgres.js has a build for workerd that connects through cloudflare:sockets.
    conditions: ["workerd", "worker"],
    // workerd provides these: cloudflare:sockets and the nodejs_compat modules (node:crypto, …).
    external: ["cloudflare:*", "node:*"],
    plugins: [
      bundledMigrations,
      asyncHooksByImport,
      precompiledHashWasm(WORKER_DIR, () => {
        patched = true;
      }),
    ],
  });
  if (!result.success) {
    throw new AggregateError(result.logs, "the Worker bundle failed to build");
  }
  // Unpatched, the Worker would start and fail on its first password hash.
  if (!patched) throw new Error("hash-wasm was bundled from a file the build does not patch");
  writeD1Migrations();
}

if (import.meta.main) {
  await buildWorker();
  console.log(`built ${WORKER_SCRIPT} and ${D1_MIGRATIONS_DIR}/`);
}
