import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect } from "../../src/config";
import { readMigrations } from "../../src/db/migrations/files";
import {
  type BranchingProject,
  branchingProject,
  CUSTOM,
  HAND_WRITTEN,
} from "../helpers/branching-project";
import { createEmptyDatabase, DIALECTS, postgresProblem } from "../helpers/databases";
import { runDb } from "../helpers/project";
import { expectRoundTrip } from "../helpers/roundtrip";

const dialects = DIALECTS.filter((dialect) => dialect === "sqlite" || postgresProblem === null);

describe("db rebase after two branches each generated a migration", () => {
  let project: BranchingProject;
  const folder = (dialect: Dialect) => join(project.root, "drizzle", dialect);
  const tags = (dialect: Dialect) => readMigrations(folder(dialect)).map(({ tag }) => tag);
  /** Every file under drizzle/ with its text: what "unchanged" compares. */
  const drizzleFiles = () =>
    DIALECTS.flatMap((dialect) =>
      readdirSync(folder(dialect), { recursive: true })
        .map(String)
        .filter((file) => file.endsWith(".sql") || file.endsWith(".json"))
        .sort()
        .map((file) => [file, readFileSync(join(folder(dialect), file), "utf8")]),
    );

  /** Runs the CLI against a fresh database of the dialect, dropped afterwards. */
  const withFreshDatabase = async <T>(dialect: Dialect, body: (url: string) => Promise<T>) => {
    const database = await createEmptyDatabase(dialect);
    try {
      return await body(database.url);
    } finally {
      await database.drop();
    }
  };
  const db = (url: string, ...args: string[]) => runDb(project.root, args, { DATABASE_URL: url });

  const expectCheckPasses = async () => {
    for (const dialect of dialects) {
      const check = await withFreshDatabase(dialect, (url) => db(url, "check"));
      expect(check.stdout + check.stderr).toContain(`check passed (${dialect})`);
    }
  };
  /** The branches' migrations and the rebased one; the project's own have a test of their own. */
  const expectRoundTrips = async () => {
    for (const dialect of dialects) {
      const migrations = readMigrations(folder(dialect));
      for (const position of migrations.keys())
        if (position >= Number(project.branchNumber))
          await expectRoundTrip(dialect, migrations, position);
    }
  };

  /** Tags of the branches' migrations and of the rebased ones. */
  const tag = { labels: "", budgets: "", rebased: "", backfill: "" };
  beforeAll(async () => {
    project = await branchingProject();
    tag.labels = `${project.branchNumber}_add_labels`;
    tag.budgets = `${project.branchNumber}_add_budgets`;
    tag.rebased = `${project.rebasedNumber}_add_budgets`;
    tag.backfill = `${project.rebasedNumber}_backfill`;
  }, 60_000);
  afterAll(() => project.remove());

  test("meta/ resolved by keeping our side: check names both migrations, rebase moves the later one on top", async () => {
    await project.merge("budgets");
    for (const dialect of dialects) {
      const check = await withFreshDatabase(dialect, (url) => db(url, "check"));
      expect(check.exitCode).toBe(1);
      expect(check.stderr).toContain(
        `drizzle/${dialect}: ${tag.budgets}.sql is not in meta/_journal.json, and its number ${project.branchNumber} is taken by ${tag.labels}`,
      );
      expect(check.stderr).toContain("npm run db -- rebase");
      expect(check.stderr).not.toContain("src/db/schema.ts has changes");
    }
    const rebase = await withFreshDatabase("sqlite", (url) => db(url, "rebase"));
    expect(rebase.exitCode).toBe(0);
    expect(rebase.stderr).toBe("");
    for (const dialect of DIALECTS) {
      expect(tags(dialect).slice(-2)).toEqual([tag.labels, tag.rebased]);
      expect(existsSync(join(folder(dialect), `${tag.budgets}.sql`))).toBe(false);
      expect(existsSync(join(folder(dialect), `${tag.budgets}.down.sql`))).toBe(false);
      const newest = readMigrations(folder(dialect)).at(-1);
      expect(newest?.statements?.join("\n")).toMatch(/CREATE TABLE ["`]budgets["`]/);
      expect(newest?.downStatements?.join("\n")).toMatch(/DROP TABLE ["`]budgets["`]/);
    }
    await expectCheckPasses();
    await expectRoundTrips();
    const again = await withFreshDatabase("sqlite", (url) => db(url, "rebase"));
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("nothing to rebase");
  }, 120_000);

  test("hand-written SQL in the later migration is carried over, with a warning", async () => {
    await project.merge("budgets-hand");
    const rebase = await withFreshDatabase("sqlite", (url) => db(url, "rebase"));
    expect(rebase.exitCode).toBe(0);
    for (const dialect of DIALECTS) {
      const newest = readMigrations(folder(dialect)).at(-1);
      expect(newest?.tag).toBe(tag.rebased);
      expect(newest?.statements?.at(-1)).toBe(HAND_WRITTEN.up);
      expect(newest?.statements?.join("\n")).toMatch(/CREATE TABLE ["`]budgets["`]/);
      expect(newest?.downStatements?.[0]).toBe(HAND_WRITTEN.down);
      expect(rebase.stderr).toContain(
        `warning: ${dialect}: ${tag.rebased}.sql carries over hand-written SQL from ${tag.budgets} unchanged; review it against ${tag.labels}: ${HAND_WRITTEN.up}`,
      );
      expect(rebase.stderr).toContain(`${tag.rebased}.down.sql carries over`);
    }
    await expectCheckPasses();
    await expectRoundTrips();
  }, 120_000);

  test("a custom migration keeps its whole files, no-transaction line included", async () => {
    await project.merge("backfill");
    // Configured for PostgreSQL when it is available: both folders are rebased all the same.
    const configured = dialects.at(-1) ?? "sqlite";
    const rebase = await withFreshDatabase(configured, (url) => db(url, "rebase"));
    expect(rebase.exitCode).toBe(0);
    for (const dialect of DIALECTS) {
      expect(tags(dialect).slice(-2)).toEqual([tag.labels, tag.backfill]);
      expect(project.read(`drizzle/${dialect}/${tag.backfill}.sql`)).toBe(CUSTOM.up);
      expect(project.read(`drizzle/${dialect}/${tag.backfill}.down.sql`)).toBe(CUSTOM.down);
      expect(rebase.stderr).toContain(`${dialect}: ${tag.backfill}.sql carries over`);
    }
    await expectCheckPasses();
    await expectRoundTrips();
  }, 120_000);

  test("refused, files unchanged, when the configured database has the later migration applied", async () => {
    const database = await createEmptyDatabase("sqlite");
    try {
      await project.git("checkout", "-q", "-f", "budgets");
      expect((await db(database.url, "up")).exitCode).toBe(0);
      await project.merge("budgets");
      const before = drizzleFiles();
      // The journal lost the later migration: it is known applied by its file's sha256.
      const rebase = await db(database.url, "rebase");
      expect(rebase.exitCode).toBe(1);
      expect(rebase.stderr).toContain(
        `sqlite: ${tag.budgets} is applied in the configured database`,
      );
      expect(rebase.stderr).toContain("npm run db -- down -1");
      expect(rebase.stderr).toContain("fresh database");
      expect(drizzleFiles()).toEqual(before);
    } finally {
      await database.drop();
    }
  }, 60_000);

  test("a journal hand-merged with both entries (one idx twice) and the later one's snapshot", async () => {
    const applied = await createEmptyDatabase("sqlite");
    await project.git("checkout", "-q", "-f", "budgets");
    expect((await db(applied.url, "up")).exitCode).toBe(0);
    await project.merge("budgets", async () => {
      for (const dialect of DIALECTS) {
        const journal = `drizzle/${dialect}/meta/_journal.json`;
        await project.git("checkout", "--ours", "--", journal);
        // git kept the later branch's snapshot: rebase must rebuild the earlier one's.
        await project.git(
          "checkout",
          "--theirs",
          "--",
          `drizzle/${dialect}/meta/${project.branchNumber}_snapshot.json`,
        );
        const theirs = JSON.parse((await project.git("show", `budgets:${journal}`)).stdout);
        const ours = JSON.parse(project.read(journal));
        ours.entries.push(theirs.entries.at(-1));
        project.write(journal, JSON.stringify(ours, null, 2));
      }
    });
    for (const dialect of dialects) {
      const check = await withFreshDatabase(dialect, (url) => db(url, "check"));
      expect(check.exitCode).toBe(1);
      expect(check.stderr).toContain(
        `drizzle/${dialect}: ${tag.labels} and ${tag.budgets} both take number ${project.branchNumber} in meta/_journal.json`,
      );
      expect(check.stderr).not.toContain("prevId");
    }
    // A journal entry is known applied by its `when`, the row's created_at.
    const refused = await db(applied.url, "rebase");
    await applied.drop();
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`sqlite: ${tag.budgets} is applied`);
    const rebase = await withFreshDatabase("sqlite", (url) => db(url, "rebase"));
    expect(rebase.exitCode).toBe(0);
    expect(rebase.stdout).toContain(
      `rebuilt drizzle/sqlite/meta/${project.branchNumber}_snapshot.json`,
    );
    for (const dialect of DIALECTS)
      expect(tags(dialect).slice(-2)).toEqual([tag.labels, tag.rebased]);
    await expectCheckPasses();
    await expectRoundTrips();
  }, 120_000);
});
