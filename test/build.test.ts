import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTableName } from "drizzle-orm";
import type { Dialect } from "../src/config";
import { type Database, openDatabase } from "../src/db/client";
import { readApplied } from "../src/db/migrations/bookkeeping";
import { EMBEDDED_MIGRATIONS_MODULE } from "../src/db/migrations/embedded";
import { migrationsFolder, readMigrations } from "../src/db/migrations/files";
import { postgresTables } from "../src/db/schema";
import { createEmptyDatabase, postgresProblem } from "./helpers/databases";
import { ADMIN_TOKEN } from "./helpers/http";
import { REPO_ROOT, runCommand } from "./helpers/project";
import { LISTENING, watch } from "./helpers/server";

const IN_CI = process.env.CI === "true" || process.env.CI === "1";
const TABLES = Object.values(postgresTables).map(getTableName);

const folders: string[] = [];
function tempFolder(label: string): string {
  const folder = mkdtempSync(join(tmpdir(), `tenant-api-build-${label}-`));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

let built = "";
beforeAll(async () => {
  const outfile = join(tempFolder("out"), "tenant-api");
  const { stdout, stderr, exitCode } = await runCommand(
    ["npm", "run", "build", "--", "--outfile", outfile],
    { cwd: REPO_ROOT },
  );
  if (exitCode !== 0) throw new Error(`npm run build exited ${exitCode}:\n${stdout}\n${stderr}`);
  built = outfile;
}, 300_000);

/**
 * The executable alone in an empty folder, started with a PATH that holds neither node nor bun
 * (an empty folder), so nothing of this checkout or its toolchain can help it. `use` gets the URL
 * it listens on; then SIGTERM must end it with exit code 0. `files` are written beside it.
 */
async function runBinary<T>(
  env: Record<string, string>,
  use: (url: string) => Promise<T>,
  files: Record<string, string> = {},
) {
  const cwd = tempFolder("run");
  const emptyPath = tempFolder("path");
  const binary = join(cwd, "tenant-api");
  copyFileSync(built, binary);
  chmodSync(binary, 0o755);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  expect(readdirSync(cwd).sort()).toEqual(["tenant-api", ...Object.keys(files)].sort());
  expect(Bun.which("node", { PATH: emptyPath })).toBeNull();
  expect(Bun.which("bun", { PATH: emptyPath })).toBeNull();
  const server = Bun.spawn([binary], {
    cwd,
    env: { PATH: emptyPath, HOME: cwd, PORT: "0", ADMIN_TOKEN, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stderr = new Response(server.stderr).text();
  let result: T;
  try {
    result = await use(await watch(server.stdout).waitFor(LISTENING));
  } catch (error) {
    server.kill("SIGKILL");
    throw new Error(`${error instanceof Error ? error.message : error}\nstderr: ${await stderr}`);
  }
  server.kill("SIGTERM");
  expect(await server.exited).toBe(0);
  return { cwd, result };
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

/** Health, readiness, a tenant created and read back, the docs page and every asset it loads. */
async function exercise(url: string, dialect: Dialect) {
  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok" });

  const newest = readMigrations(migrationsFolder(dialect)).at(-1)?.tag;
  const ready = await fetch(`${url}/ready`);
  expect(await ready.json()).toEqual({ status: "ready", database: dialect, migration: newest });

  const created = await fetch(`${url}/tenants`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ name: "Binary", slug: "binary" }),
  });
  expect(created.status).toBe(201);
  const { apiKey, ...tenant } = (await created.json()) as { id: string; apiKey: string };
  expect(apiKey).toStartWith("tak_");
  const read = await fetch(`${url}/tenants/${tenant.id}`, { headers: admin });
  expect(read.status).toBe(200);
  expect(await read.json()).toEqual(tenant);

  const docs = await fetch(`${url}/swagger`);
  expect(docs.status).toBe(200);
  const page = await docs.text();
  // Swagger UI's script and stylesheet are served by the app itself, from the executable.
  const assets = [...page.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]);
  expect(assets.length).toBeGreaterThan(0);
  for (const asset of assets) expect((await fetch(`${url}${asset}`)).status).toBe(200);
  expect((await fetch(`${url}/swagger/json`)).status).toBe(200);
  return tenant.id;
}

/** The tables exist and the recorded hashes are those of the .sql files in drizzle/<dialect>/. */
async function expectMigrated(db: Database, tenantId: string) {
  const tables =
    db.dialect === "sqlite"
      ? db.sqlite
          .query<{ name: string }, []>("select name from sqlite_master where type = 'table'")
          .all()
          .map((row) => row.name)
      : (
          await db.sql<{ name: string }[]>`
            select table_name as name from information_schema.tables where table_schema = 'public'`
        ).map((row) => row.name);
  expect(tables).toEqual(expect.arrayContaining(TABLES));
  const recorded: { hash: string | null; createdAt: number }[] = (await readApplied(db)).map(
    ({ hash, createdAt }) => ({ hash, createdAt }),
  );
  const files = readMigrations(migrationsFolder(db.dialect));
  expect(recorded).toEqual(files.map(({ hash, createdAt }) => ({ hash, createdAt })));
  const rows = await db.orm.select().from(db.tables.tenants);
  expect(rows.map((row) => row.id)).toEqual([tenantId]);
}

describe("npm run build: the single executable", () => {
  test("a build without the migrations plugin fails at build time, naming the module", async () => {
    const outfile = join(tempFolder("bare"), "tenant-api");
    const result = await Bun.build({
      entrypoints: [join(REPO_ROOT, "src/index.ts")],
      compile: { outfile },
      throw: false,
    });
    expect(result.success).toBe(false);
    expect(result.logs.map(String).join("\n")).toContain(EMBEDDED_MIGRATIONS_MODULE);
    expect(existsSync(outfile)).toBe(false);
  }, 60_000);

  test("alone in a folder, without node or bun: SQLite file created, migrated, served, exit 0 on SIGTERM", async () => {
    const { cwd, result: tenantId } = await runBinary({}, (url) => exercise(url, "sqlite"));
    const file = join(cwd, "data", "app.db");
    expect(existsSync(file)).toBe(true);
    const db = openDatabase({ dialect: "sqlite", path: file });
    try {
      await expectMigrated(db, tenantId);
    } finally {
      await db.close();
    }
  }, 60_000);

  test.skipIf(postgresProblem !== null && !IN_CI)(
    "alone in a folder, without node or bun: PostgreSQL from DATABASE_URL migrated, served, exit 0 on SIGTERM",
    async () => {
      const database = await createEmptyDatabase("postgres");
      try {
        const { result: tenantId } = await runBinary({ DATABASE_URL: database.url }, (url) =>
          exercise(url, "postgres"),
        );
        await expectMigrated(database.db, tenantId);
      } finally {
        await database.drop();
      }
    },
    60_000,
  );

  test("reads .env from its working directory, never bunfig.toml (whose preload would run code)", async () => {
    const marker = "preloaded";
    const { cwd } = await runBinary({}, async () => {}, {
      ".env": "DATABASE_URL=file:./from-dotenv.db\n",
      "bunfig.toml": 'preload = ["./preload.ts"]\n',
      "preload.ts": `import { writeFileSync } from "node:fs";\nwriteFileSync("${marker}", "");\n`,
    });
    expect(existsSync(join(cwd, "from-dotenv.db"))).toBe(true);
    expect(existsSync(join(cwd, marker))).toBe(false);
  }, 60_000);
});
