import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect } from "../../src/config";
import { moveTo } from "../../src/db/migrations/engine";
import { migrationsFolder, readMigrations } from "../../src/db/migrations/files";
import { createEmptyDatabase, DIALECTS, postgresProblem } from "../helpers/databases";
import { copyProject, runDb } from "../helpers/project";
import { expectRoundTrip } from "../helpers/roundtrip";

/** Tables appended to a copy of schema.ts, in the versions the test moves through. */
function tables(version: 1 | 2 | 3 | 4): string {
  const projects = (pg: boolean) => {
    const [table, text, integer] = pg
      ? ["xPgTable", "xPgText", "xPgInteger"]
      : ["xSqliteTable", "xSqliteText", "xSqliteInteger"];
    const code = version >= 2 ? `${text}("code")` : `${text}("code").notNull()`;
    const budget = version >= 2 ? `budget: ${integer}("budget"),` : "";
    return `export const ${pg ? "pg" : "sqlite"}Projects = ${table}("projects", {
      id: ${text}("id").primaryKey(), name: ${text}("name").notNull(), code: ${code}, ${budget} });`;
  };
  const child = (pg: boolean) => {
    const [table, text] = pg ? ["xPgTable", "xPgText"] : ["xSqliteTable", "xSqliteText"];
    const parent = `${pg ? "pg" : "sqlite"}Projects`;
    const projectId = `${text}("project_id").notNull().references(() => ${parent}.id, { onDelete: "cascade" })`;
    if (version === 4) {
      return `export const ${pg ? "pg" : "sqlite"}Labels = ${table}("labels", {
        id: ${text}("id").primaryKey(), projectId: ${projectId}, name: ${text}("name").notNull() });`;
    }
    const title =
      version >= 3 ? `summary: ${text}("summary").notNull()` : `title: ${text}("title").notNull()`;
    return `export const ${pg ? "pg" : "sqlite"}Tasks = ${table}("tasks", {
      id: ${text}("id").primaryKey(), projectId: ${projectId}, ${title} });`;
  };
  return `
// --- test tables, version ${version}
import { integer as xPgInteger, pgTable as xPgTable, text as xPgText } from "drizzle-orm/pg-core";
import { integer as xSqliteInteger, sqliteTable as xSqliteTable, text as xSqliteText } from "drizzle-orm/sqlite-core";
${projects(true)}
${child(true)}
${projects(false)}
${child(false)}
`;
}

// The project's own migrations come first; the test's start at the next number.
const committed = readMigrations(migrationsFolder("sqlite")).length;
const number = (index: number) => String(index).padStart(4, "0");

const dialects = DIALECTS.filter((dialect) => dialect === "sqlite" || postgresProblem === null);

describe("db generate in a copy of the project", () => {
  let project: ReturnType<typeof copyProject>;
  let schemaFile: string;
  let originalSchema: string;
  const folder = (dialect: Dialect) => join(project.root, "drizzle", dialect);
  const migrationsOf = (dialect: Dialect) => readMigrations(folder(dialect));
  const listing = () =>
    DIALECTS.flatMap((dialect) =>
      readdirSync(folder(dialect), { recursive: true }).map(String),
    ).sort();
  const setVersion = (version: 1 | 2 | 3 | 4) =>
    writeFileSync(schemaFile, originalSchema + tables(version));
  const generate = (...args: string[]) => runDb(project.root, ["generate", ...args], {});

  beforeAll(() => {
    project = copyProject();
    schemaFile = join(project.root, "src", "db", "schema.ts");
    originalSchema = readFileSync(schemaFile, "utf8");
  });
  afterAll(() => project.remove());

  const expectAllRoundTrips = async () => {
    for (const dialect of dialects) {
      const migrations = migrationsOf(dialect);
      for (const position of migrations.keys())
        await expectRoundTrip(dialect, migrations, position);
    }
  };

  test("adding tables writes forward and down files for both dialects that round-trip", async () => {
    setVersion(1);
    const result = await generate("--name", "add_projects");
    expect(result.exitCode).toBe(0);
    for (const dialect of DIALECTS) {
      const newest = migrationsOf(dialect).at(-1);
      expect(newest?.tag).toBe(`${number(committed)}_add_projects`);
      expect(newest?.downStatements?.join("\n")).toMatch(/DROP TABLE/);
    }
    await expectAllRoundTrips();
  }, 120_000);

  test("a column added and a SQLite table rebuilt: child rows survive up, down and up", async () => {
    setVersion(2);
    expect((await generate("--name", "project_budget")).exitCode).toBe(0);
    const sqliteUp = migrationsOf("sqlite").at(-1)?.statements?.join("\n") ?? "";
    expect(sqliteUp).toContain("__new_projects"); // the nullability change rebuilds the parent
    for (const dialect of dialects) {
      const migrations = migrationsOf(dialect);
      const database = await createEmptyDatabase(dialect);
      try {
        const { db } = database;
        await moveTo(db, migrations, "up", { kind: "revision", text: number(committed) });
        const run = async (sql: string) =>
          db.dialect === "postgres" ? db.sql.unsafe(sql) : db.sqlite.query(sql).all();
        await run("insert into projects (id, name, code) values ('p1', 'Apollo', 'AP')");
        await run(
          "insert into tasks (id, project_id, title) values ('t1', 'p1', 'a'), ('t2', 'p1', 'b')",
        );
        const count = async () =>
          Number(((await run("select count(*) as n from tasks")) as { n: unknown }[])[0]?.n);
        await moveTo(db, migrations, "up", { kind: "head" });
        expect(await count()).toBe(2);
        await moveTo(db, migrations, "down", { kind: "relative", steps: -1 });
        expect(await count()).toBe(2);
        await moveTo(db, migrations, "up", { kind: "head" });
        expect(await count()).toBe(2);
      } finally {
        await database.drop();
      }
    }
    await expectAllRoundTrips();
  }, 120_000);

  test("a renamed column: without a terminal or --rename, generate fails and writes nothing", async () => {
    setVersion(3);
    const before = listing();
    const result = await generate("--name", "rename_title");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("--rename");
    expect(result.stderr).toContain("tasks: columns title dropped and summary added");
    expect(listing()).toEqual(before);
  }, 60_000);

  test("with --rename, the forward file renames and the down file renames back, keeping the data", async () => {
    const result = await generate("--name", "rename_title", "--rename", "tasks.title=summary");
    expect(result.exitCode).toBe(0);
    for (const dialect of DIALECTS) {
      const newest = migrationsOf(dialect).at(-1);
      expect(newest?.statements?.join("\n")).toMatch(
        /RENAME COLUMN ["`]title["`] TO ["`]summary["`]/,
      );
      expect(newest?.downStatements?.join("\n")).toMatch(
        /RENAME COLUMN ["`]summary["`] TO ["`]title["`]/,
      );
      expect(newest?.downStatements?.join("\n")).not.toMatch(/DROP COLUMN/i);
    }
    for (const dialect of dialects) {
      const migrations = migrationsOf(dialect);
      const database = await createEmptyDatabase(dialect);
      try {
        const { db } = database;
        const run = async (sql: string) =>
          db.dialect === "postgres" ? db.sql.unsafe(sql) : db.sqlite.query(sql).all();
        await moveTo(db, migrations, "up", { kind: "revision", text: number(committed + 1) });
        await run("insert into projects (id, name) values ('p1', 'Apollo')");
        await run("insert into tasks (id, project_id, title) values ('t1', 'p1', 'kept')");
        await moveTo(db, migrations, "up", { kind: "head" });
        expect(await run("select summary from tasks")).toEqual([{ summary: "kept" }]);
        await moveTo(db, migrations, "down", { kind: "relative", steps: -1 });
        expect(await run("select title from tasks")).toEqual([{ title: "kept" }]);
      } finally {
        await database.drop();
      }
    }
    await expectAllRoundTrips();
  }, 120_000);

  test("a table dropped and another added: fails without a terminal, works with --no-rename", async () => {
    setVersion(4);
    const before = listing();
    const refused = await generate("--name", "labels");
    expect(refused.exitCode).toBe(1);
    expect(listing()).toEqual(before);
    const result = await generate("--name", "labels", "--no-rename");
    expect(result.exitCode).toBe(0);
    for (const dialect of DIALECTS) {
      const newest = migrationsOf(dialect).at(-1);
      expect(newest?.tag).toBe(`${number(committed + 3)}_labels`);
      expect(newest?.statements?.join("\n")).toMatch(/CREATE TABLE ["`]labels["`]/);
      expect(newest?.downStatements?.join("\n")).toMatch(/CREATE TABLE ["`]tasks["`]/);
    }
    await expectAllRoundTrips();
  }, 120_000);

  test("afterwards check passes at head, and nothing is left to generate", async () => {
    for (const dialect of dialects) {
      const database = await createEmptyDatabase(dialect);
      try {
        const env = { DATABASE_URL: database.url };
        expect((await runDb(project.root, ["up"], env)).exitCode).toBe(0);
        const check = await runDb(project.root, ["check"], env);
        expect(check.stdout + check.stderr).toContain("check passed");
      } finally {
        await database.drop();
      }
    }
    const again = await generate();
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("No schema changes");
  }, 120_000);

  test("check names a missing down file and a schema change no migration holds", async () => {
    const database = await createEmptyDatabase("sqlite");
    try {
      const env = { DATABASE_URL: database.url };
      await runDb(project.root, ["up"], env);
      appendFileSync(
        schemaFile,
        `export const sqliteExtra = xSqliteTable("extra", { id: xSqliteText("id").primaryKey() });\n`,
      );
      const newest = migrationsOf("sqlite").at(-1)?.tag;
      const downFile = join(folder("sqlite"), `${newest}.down.sql`);
      const down = readFileSync(downFile, "utf8");
      rmSync(downFile);
      const check = await runDb(project.root, ["check"], env);
      expect(check.exitCode).toBe(1);
      expect(check.stderr).toContain(`${newest}.down.sql is missing`);
      expect(check.stderr).toContain("src/db/schema.ts has changes no sqlite migration holds");
      writeFileSync(downFile, down);
    } finally {
      await database.drop();
      setVersion(4);
    }
  }, 60_000);
});
