import { expect, test } from "bun:test";
import { carryOver, normalizeStatement } from "../../../src/db/migrations/carry";

test("statements compare without comments and whitespace", () => {
  expect(normalizeStatement("-- lint:allow add-column reason\nALTER TABLE  x\n\tADD y int;")).toBe(
    "ALTER TABLE x ADD y int;",
  );
});

test("an up file: the regenerated statements in their old wording, then the hand-written ones", () => {
  const old = [
    "-- migrate:no-transaction",
    "-- lint:allow create-table reviewed",
    "CREATE TABLE x (id int);",
    "--> statement-breakpoint",
    "CREATE INDEX x_id ON x (id);",
  ].join("\n");
  const result = carryOver(old, ["CREATE TABLE x (id int);", "CREATE TABLE y (id int);"], "after");
  expect(result.carried).toEqual(["CREATE INDEX x_id ON x (id);"]);
  expect(result.text).toBe(
    [
      "-- migrate:no-transaction",
      "-- lint:allow create-table reviewed",
      "CREATE TABLE x (id int);",
      "--> statement-breakpoint",
      "CREATE TABLE y (id int);",
      "--> statement-breakpoint",
      "CREATE INDEX x_id ON x (id);",
      "",
    ].join("\n"),
  );
});

test("a down file: the hand-written statements first, since they undo what ran last", () => {
  const old = "DROP INDEX x_id;\n--> statement-breakpoint\nDROP TABLE x;\n";
  const result = carryOver(old, ["DROP TABLE y;", "DROP TABLE x;"], "before");
  expect(result.carried).toEqual(["DROP INDEX x_id;"]);
  expect(result.text).toBe(
    "DROP INDEX x_id;\n--> statement-breakpoint\nDROP TABLE y;\n--> statement-breakpoint\nDROP TABLE x;\n",
  );
});

test("without an old file nothing is carried", () => {
  expect(carryOver(null, ["DROP TABLE x;"], "before")).toEqual({
    text: "DROP TABLE x;\n",
    carried: [],
  });
});
