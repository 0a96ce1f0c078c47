import { describe, expect, test } from "bun:test";
import { entityTag, ifMatchVersions, noneMatchHits } from "../../src/http/conditional";
import { ProblemError } from "../../src/http/problem";

const ID = "0193a7e2-5b1c-7d3e-8f40-123456789abc";
const OTHER = "0193a7e2-5b1c-7d3e-8f40-cba987654321";

const withHeader = (name: string, value?: string) =>
  new Request("http://localhost/", { headers: value === undefined ? {} : { [name]: value } });
const ifMatch = (value?: string, required = false) =>
  ifMatchVersions(withHeader("if-match", value), ID, required);
const problemOf = (run: () => unknown): ProblemError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error("expected a problem");
};

describe("entityTag", () => {
  test("is strong, quoted, and differs by id and by version", () => {
    expect(entityTag(ID, 3)).toBe(`"${ID}-3"`);
    expect(entityTag(ID, 3)).not.toBe(entityTag(OTHER, 3));
    expect(entityTag(ID, 3)).not.toBe(entityTag(ID, 4));
  });
});

describe("If-Match", () => {
  test("absent or * allows any version", () => {
    expect(ifMatch()).toBeUndefined();
    expect(ifMatch("*")).toBeUndefined();
    expect(ifMatch(" * ")).toBeUndefined();
  });

  test("absent is 428 when required; * satisfies the requirement", () => {
    const problem = problemOf(() => ifMatch(undefined, true));
    expect(problem.status).toBe(428);
    expect(problem.code).toBe("precondition_required");
    expect(ifMatch("*", true)).toBeUndefined();
    expect(ifMatch(entityTag(ID, 2), true)).toEqual([2]);
  });

  test.each([
    [entityTag(ID, 3), [3]],
    [`${entityTag(ID, 3)}, ${entityTag(ID, 5)}`, [3, 5]],
    [`${entityTag(ID, 3)},${entityTag(ID, 3)}`, [3]],
    [`, ${entityTag(ID, 7)} ,,`, [7]],
    [`${entityTag(OTHER, 4)}, ${entityTag(ID, 9)}`, [9]],
    [`"${ID}-2147483647"`, [2147483647]],
  ])("%s allows the versions %p", (value, versions) => {
    expect(ifMatch(value)).toEqual(versions);
  });

  test.each([
    ["a weak tag (strong comparison)", `W/${entityTag(ID, 3)}`],
    ["another resource's tag", entityTag(OTHER, 3)],
    ["version 0", `"${ID}-0"`],
    ["a leading zero", `"${ID}-03"`],
    ["a version past the column's range", `"${ID}-2147483648"`],
    ["a version that is no integer", `"${ID}-3.0"`],
    ["no version", `"${ID}"`],
    ["an unquoted tag", `${ID}-3`],
    ["two tags without a comma", `${entityTag(ID, 3)} ${entityTag(ID, 4)}`],
    ["* among tags", `*, ${entityTag(ID, 3)}`],
    ["a lower-case weak prefix", `w/${entityTag(ID, 3)}`],
    ["an unterminated quote", `"${ID}-3`],
    ["an empty value", ""],
  ])("%s matches nothing", (_, value) => {
    expect(ifMatch(value)).toEqual([]);
  });

  test("more than 20 tags of the resource is 400", () => {
    const tags = Array.from({ length: 21 }, (_, index) => entityTag(ID, index + 1)).join(", ");
    expect(problemOf(() => ifMatch(tags)).status).toBe(400);
    const twenty = Array.from({ length: 20 }, (_, index) => entityTag(ID, index + 1)).join(", ");
    expect(ifMatch(twenty)).toHaveLength(20);
  });
});

describe("If-None-Match", () => {
  const current = entityTag(ID, 3);
  const hits = (value?: string) => noneMatchHits(withHeader("if-none-match", value), current);

  test.each([
    ["the current tag", current],
    ["its weak form (weak comparison)", `W/${current}`],
    ["*", "*"],
    ["a list holding it", `${entityTag(ID, 2)}, ${current}`],
  ])("%s hits", (_, value) => {
    expect(hits(value)).toBe(true);
  });

  test.each([
    ["no header", undefined],
    ["an older tag", entityTag(ID, 2)],
    ["another resource's tag", entityTag(OTHER, 3)],
    ["an unquoted tag", current.slice(1, -1)],
    ["an empty value", ""],
  ])("%s misses", (_, value) => {
    expect(hits(value)).toBe(false);
  });
});
