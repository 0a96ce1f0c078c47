import { expect, test } from "bun:test";
import { questionsAfterRenames } from "../../../src/db/migrations/rebase-refusals";
import type { Snapshot } from "../../../src/db/migrations/snapshots";

const snapshot = (tables: Record<string, string[]>): Snapshot => ({
  id: "id",
  prevId: "prev",
  tables: Object.fromEntries(
    Object.entries(tables).map(([name, columns]) => [
      name,
      { name, columns: Object.fromEntries(columns.map((column) => [column, { name: column }])) },
    ]),
  ),
});

test("a column dropped and another added is a question rebase does not answer itself", () => {
  expect(
    questionsAfterRenames(
      snapshot({ tasks: ["id", "title"] }),
      snapshot({ tasks: ["id", "summary"] }),
      [],
    ),
  ).toEqual(["tasks: columns title dropped and summary added"]);
});

test("the renames the old migration performed answer it", () => {
  const before = snapshot({ tasks: ["id", "title"], notes: ["id"] });
  const after = snapshot({ tasks: ["id", "summary"], memos: ["id"] });
  expect(
    questionsAfterRenames(before, after, [
      { kind: "column", table: "tasks", from: "title", to: "summary" },
      { kind: "table", from: "notes", to: "memos" },
    ]),
  ).toEqual([]);
});
