import { describe, expect, test } from "bun:test";
import { FormatRegistry } from "@sinclair/typebox";
import { fullFormats } from "elysia/type-system/format";
import fc from "fast-check";
import { isDateTime } from "../../src/http/formats";
import "../../src/http/openapi";

const elysiaDateTime = fullFormats["date-time"] as (value: string) => boolean;

describe("date-time format", () => {
  test.each([
    "2026-11-25T10:00:00Z",
    "2026-11-25T10:00:00.123Z",
    "2026-11-25t10:00:00.1z",
    "2026-11-25 10:00:00+01:00",
    "2026-11-25T23:59:59-0530",
    "2026-11-25T10:00:00+05",
    "2024-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2026-12-31T23:59:59.999999Z",
  ])("accepts %s", (value) => {
    expect(isDateTime(value)).toBe(true);
  });

  test.each([
    "",
    "2026-11-25",
    "2026-11-25T10:00:00",
    "2026-11-25T10:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-01T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2026-11-25T24:00:00Z",
    "2026-11-25T10:60:00Z",
    "2026-11-25T10:00:60Z",
    "2026-11-25T10:00:00+24:00",
    "2026-11-25T10:00:00.Z",
    " 2026-11-25T10:00:00Z",
    "2026-11-25T10:00:00Z\n",
  ])("refuses %j", (value) => {
    expect(isDateTime(value)).toBe(false);
  });

  test("agrees with Elysia's check on generated strings, leap seconds aside", () => {
    const digits = (length: number) =>
      fc.stringMatching(new RegExp(`^[0-9]{${length}}$`)).filter((s) => s.length === length);
    const candidate = fc
      .tuple(
        digits(4),
        digits(2),
        digits(2),
        fc.constantFrom("T", "t", " ", "_"),
        digits(2),
        digits(2),
        digits(2),
        fc.constantFrom("", ".5", ".123", "."),
        fc.constantFrom("Z", "z", "", "+01:00", "-0530", "+05", "+25:00", "+01:60"),
      )
      .map(
        ([y, mo, d, sep, h, mi, s, frac, zone]) =>
          `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`,
      )
      .filter((value) => !/:60(?:\.|[Zz+-]|$)/.test(value.slice(17)));
    fc.assert(
      fc.property(candidate, (value) => isDateTime(value) === elysiaDateTime(value)),
      { numRuns: 20_000 },
    );
  });

  test("is the check TypeBox uses once the app's modules are loaded", () => {
    expect(FormatRegistry.Get("date-time")).toBe(isDateTime);
  });
});
