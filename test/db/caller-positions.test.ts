import { describe, expect, test } from "bun:test";
import { createCallerPositions, parseLsn } from "../../src/db/caller-positions";

describe("caller positions", () => {
  test("an LSN reads as its two hexadecimal halves", () => {
    expect(parseLsn("0/3001158")).toBe(0x3001158n);
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
  });

  test("a caller waits for its furthest write; a caller that never wrote, for nothing", () => {
    const positions = createCallerPositions(10_000);
    positions.record("key:a", 200n);
    // A slower write of the same caller reports an earlier position after the later one.
    positions.record("key:a", 100n);
    expect(positions.required("key:a")).toBe(200n);
    expect(positions.required("key:b")).toBe(0n);
    expect(positions.required(undefined)).toBe(0n);
  });

  test("past its capacity the oldest caller is forgotten, and every caller not listed waits for it", () => {
    const positions = createCallerPositions(10_000, 2);
    positions.record("key:a", 300n);
    positions.record("key:b", 100n);
    positions.record("key:c", 200n);
    expect(positions.size).toBe(2);
    expect(positions.required("key:a")).toBe(300n);
    expect(positions.required("key:stranger")).toBe(300n);
    expect(positions.required("key:b")).toBe(100n);
  });

  test("the floor from start-up applies to every caller not listed", () => {
    const positions = createCallerPositions(10_000);
    positions.raiseFloor(500n);
    positions.raiseFloor(400n);
    expect(positions.required("key:a")).toBe(500n);
  });

  test("positions and the floor are forgotten once older than the allowed lag", async () => {
    const positions = createCallerPositions(30);
    positions.record("key:a", 200n);
    positions.raiseFloor(100n);
    await Bun.sleep(60);
    expect(positions.required("key:a")).toBe(0n);
    expect(positions.size).toBe(0);
  });
});
