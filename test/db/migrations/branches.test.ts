import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  collisionProblems,
  findCollisions,
  withBranchCollisions,
} from "../../../src/db/migrations/branches";
import {
  journalPath,
  migrationsFolder,
  readMigrations,
  snapshotPath,
} from "../../../src/db/migrations/files";

interface Fixture {
  /** Journal entries: tag, idx and when. */
  entries: { tag: string; idx: number; when: number }[];
  /** Snapshot files by number: their id and prevId. */
  snapshots: Record<number, { id: string; prevId: string }>;
  /** `.sql` files beyond the journal's own. */
  extraFiles?: string[];
}

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A dialect folder named sqlite, as drizzle-kit would leave it. */
function folderWith(fixture: Fixture): string {
  const folder = join(mkdtempSync(join(tmpdir(), "branches-")), "sqlite");
  folders.push(folder);
  mkdirSync(join(folder, "meta"), { recursive: true });
  const entries = fixture.entries.map((entry) => ({ ...entry, version: "6", breakpoints: true }));
  writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify({ version: "7", entries }));
  for (const [number, ids] of Object.entries(fixture.snapshots))
    writeFileSync(snapshotPath(folder, Number(number)), JSON.stringify({ ...ids, tables: {} }));
  for (const { tag } of fixture.entries) {
    writeFileSync(join(folder, `${tag}.sql`), "SELECT 1;\n");
    writeFileSync(join(folder, `${tag}.down.sql`), "SELECT 1;\n");
  }
  for (const file of fixture.extraFiles ?? []) writeFileSync(join(folder, file), "SELECT 2;\n");
  return folder;
}

const ORIGIN = "00000000-0000-0000-0000-000000000000";
/** Two migrations before any branch: 0000_init and 0001_base. */
const shared = {
  entries: [
    { tag: "0000_init", idx: 0, when: 100 },
    { tag: "0001_base", idx: 1, when: 200 },
  ],
  snapshots: { 0: { id: "s0", prevId: ORIGIN }, 1: { id: "s1", prevId: "s0" } },
};
const summary = (folder: string) =>
  findCollisions(folder).map(({ kind, earlier, later }) => [kind, earlier?.tag, later.tag]);

test("the project's own migrations do not collide", () => {
  for (const dialect of ["postgres", "sqlite"] as const)
    expect(findCollisions(migrationsFolder(dialect))).toEqual([]);
});

describe("journal entries", () => {
  test("the same idx: one collision, the larger `when` is the later one wherever it stands", () => {
    const folder = folderWith({
      entries: [
        ...shared.entries,
        { tag: "0002_budgets", idx: 2, when: 400 },
        { tag: "0002_labels", idx: 2, when: 300 },
      ],
      snapshots: { ...shared.snapshots, 2: { id: "s2", prevId: "s1" } },
    });
    expect(summary(folder)).toEqual([["number", "0002_labels", "0002_budgets"]]);
    expect(collisionProblems(folder)).toEqual([
      "drizzle/sqlite: 0002_labels and 0002_budgets both take number 0002 in meta/_journal.json: " +
        "two branches each generated one from the same parent. Run npm run db -- rebase to " +
        "regenerate 0002_budgets, the later one, on top of 0002_labels.",
    ]);
  });

  test("the same number under different idx, and snapshots sharing a parent: one collision", () => {
    const folder = folderWith({
      entries: [
        ...shared.entries,
        { tag: "0002_labels", idx: 2, when: 300 },
        { tag: "0002_budgets", idx: 3, when: 400 },
      ],
      snapshots: {
        ...shared.snapshots,
        2: { id: "s2", prevId: "s1" },
        3: { id: "s3", prevId: "s1" },
      },
    });
    expect(summary(folder)).toEqual([["number", "0002_labels", "0002_budgets"]]);
  });

  test("snapshots sharing a parent: the parent migration is named", () => {
    const folder = folderWith({
      entries: [
        ...shared.entries,
        { tag: "0002_labels", idx: 2, when: 300 },
        { tag: "0003_budgets", idx: 3, when: 400 },
      ],
      snapshots: {
        ...shared.snapshots,
        2: { id: "s2", prevId: "s1" },
        3: { id: "s3", prevId: "s1" },
      },
    });
    expect(summary(folder)).toEqual([["parent", "0002_labels", "0003_budgets"]]);
    expect(collisionProblems(folder)[0]).toContain(
      "0002_labels and 0003_budgets were both generated on top of 0001_base (their snapshots share prevId s1)",
    );
  });
});

describe("orphan .sql files", () => {
  test("one the journal lost names the migration whose number it takes; down files are not orphans", () => {
    const folder = folderWith({
      entries: [...shared.entries, { tag: "0002_labels", idx: 2, when: 300 }],
      snapshots: { ...shared.snapshots, 2: { id: "s2", prevId: "s1" } },
      extraFiles: ["0002_budgets.sql", "0002_budgets.down.sql"],
    });
    expect(summary(folder)).toEqual([["orphan", "0002_labels", "0002_budgets"]]);
    expect(collisionProblems(folder)).toEqual([
      "drizzle/sqlite: 0002_budgets.sql is not in meta/_journal.json, and its number 0002 is " +
        "taken by 0002_labels: a merge kept the other branch's journal, so no migrator would " +
        "ever apply it. Run npm run db -- rebase to regenerate 0002_budgets, the later one, on " +
        "top of 0002_labels.",
    ]);
  });

  test("one whose number no entry takes is still reported", () => {
    const folder = folderWith({ ...shared, extraFiles: ["0002_budgets.sql"] });
    expect(summary(folder)).toEqual([["orphan", undefined, "0002_budgets"]]);
    expect(collisionProblems(folder)[0]).toContain("regenerate it as the newest migration");
  });
});

describe("withBranchCollisions", () => {
  test("drops the chain problems a collision causes and keeps the others", () => {
    const folder = folderWith({
      entries: [
        ...shared.entries,
        { tag: "0002_labels", idx: 2, when: 300 },
        { tag: "0002_budgets", idx: 2, when: 400 },
      ],
      snapshots: { ...shared.snapshots, 2: { id: "s2", prevId: "s1" } },
    });
    const chain = [
      `${snapshotPath(folder, 2)}: prevId s1 does not follow the snapshot before it (s2)`,
      `meta/_journal.json: 0002_budgets shares its "when" with another entry`,
      `${snapshotPath(folder, 7)} is not in meta/_journal.json`,
    ];
    const problems = withBranchCollisions(folder, () => chain);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("0002_labels and 0002_budgets both take number 0002");
    expect(problems[1]).toBe(chain[2]);
  });

  test("conflict markers left by a merge are the only problem, and the chain is not read", () => {
    const folder = folderWith(shared);
    writeFileSync(snapshotPath(folder, 1), "<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> budgets\n");
    const problems = withBranchCollisions(folder, () => {
      throw new Error("read the chain");
    });
    expect(problems).toEqual([
      "drizzle/sqlite: meta/0001_snapshot.json still holds git's conflict markers. Keep your " +
        "side of meta/ (git checkout --ours -- drizzle/sqlite/meta), then run npm run db -- rebase.",
    ]);
  });

  test("a journal with conflict markers is refused by name, not as a JSON parse error", () => {
    const folder = folderWith(shared);
    writeFileSync(journalPath(folder), '<<<<<<< HEAD\n{"entries": []}\n=======\n{}\n>>>>>>> b\n');
    expect(() => readMigrations(folder)).toThrow(
      `${journalPath(folder)} holds git's conflict markers: run npm run db -- rebase`,
    );
    writeFileSync(journalPath(folder), '{"entries": [');
    expect(() => readMigrations(folder)).toThrow(`${journalPath(folder)} is not valid JSON`);
  });

  test("without collisions, the chain's problems pass through", () => {
    expect(withBranchCollisions(folderWith(shared), () => ["x"])).toEqual(["x"]);
  });
});
