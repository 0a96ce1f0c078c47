import { describe, expect, test } from "bun:test";
import type { MigrationFile } from "../../../src/db/migrations/files";
import { parseTarget, planMove, TargetError } from "../../../src/db/migrations/plan";

const migration = (index: number, name: string): MigrationFile => ({
  index,
  tag: `${String(index).padStart(4, "0")}_${name}`,
  createdAt: 1_000 + index,
  hash: `hash${index}`,
  statements: [],
  downStatements: [],
  noTransaction: { up: false, down: false },
  irreversible: null,
});
const journal = [
  migration(0, "init"),
  migration(1, "add_api_keys"),
  migration(2, "more"),
  migration(3, "last"),
];
const tags = (steps: MigrationFile[]) => steps.map((step) => step.tag);
const appliedUpTo = (count: number) => (m: MigrationFile) => m.index < count;

describe("parseTarget", () => {
  test.each([
    ["head", { kind: "head" }],
    ["base", { kind: "base" }],
    ["+2", { kind: "relative", steps: 2 }],
    ["-1", { kind: "relative", steps: -1 }],
    ["0001", { kind: "revision", text: "0001" }],
    ["0001_add_api_keys", { kind: "revision", text: "0001_add_api_keys" }],
  ])("%s", (text, target) => {
    expect(parseTarget(text)).toEqual(target as ReturnType<typeof parseTarget>);
  });

  test("+0 and an empty target are refused", () => {
    expect(() => parseTarget("+0")).toThrow(TargetError);
    expect(() => parseTarget(" ")).toThrow(TargetError);
  });
});

describe("planMove", () => {
  test("up head applies every pending migration in journal order", () => {
    expect(tags(planMove("up", { kind: "head" }, journal, appliedUpTo(1)).steps)).toEqual([
      "0001_add_api_keys",
      "0002_more",
      "0003_last",
    ]);
  });

  test("pending means not recorded, even when older than the newest applied", () => {
    const appliedOutOfOrder = (m: MigrationFile) => m.index !== 1;
    expect(tags(planMove("up", { kind: "head" }, journal, appliedOutOfOrder).steps)).toEqual([
      "0001_add_api_keys",
    ]);
  });

  test("up to a tag, to its number with or without zeros, and +N", () => {
    for (const text of ["0002_more", "0002", "2"]) {
      expect(
        tags(planMove("up", { kind: "revision", text }, journal, appliedUpTo(1)).steps),
      ).toEqual(["0001_add_api_keys", "0002_more"]);
    }
    expect(
      tags(planMove("up", { kind: "relative", steps: 1 }, journal, appliedUpTo(1)).steps),
    ).toEqual(["0001_add_api_keys"]);
  });

  test("down to a tag keeps it applied; base reverts everything; -N the last N, newest first", () => {
    expect(
      tags(planMove("down", { kind: "revision", text: "0001" }, journal, appliedUpTo(4)).steps),
    ).toEqual(["0003_last", "0002_more"]);
    expect(tags(planMove("down", { kind: "base" }, journal, appliedUpTo(2)).steps)).toEqual([
      "0001_add_api_keys",
      "0000_init",
    ]);
    expect(
      tags(planMove("down", { kind: "relative", steps: -1 }, journal, appliedUpTo(3)).steps),
    ).toEqual(["0002_more"]);
  });

  test("a target behind the current revision is a note for up, not a move", () => {
    const plan = planMove("up", { kind: "revision", text: "0000" }, journal, appliedUpTo(3));
    expect(plan.steps).toEqual([]);
    expect(plan.note).toContain("down 0000");
  });

  test.each([
    ["up", { kind: "base" }, "down base"],
    ["up", { kind: "relative", steps: -1 }, "down -1"],
    ["down", { kind: "relative", steps: 2 }, "up +2"],
    ["up", { kind: "relative", steps: 9 }, "only 3 migrations are pending"],
    ["down", { kind: "relative", steps: -9 }, "only 1 migrations are applied"],
    ["up", { kind: "revision", text: "0009" }, 'no migration "0009"'],
  ] as const)("%s %o is refused: %s", (direction, target, message) => {
    expect(() => planMove(direction, target, journal, appliedUpTo(1))).toThrow(message);
  });
});
